# The start of every script here (serve.sh, test.sh, bench.sh): strict mode, the repository as the working
# directory, the tools installed and on PATH (setup.sh), and `say`, which marks the script's own lines.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
say() { printf '\033[1m[%s]\033[0m %s\n' "$(basename "$0" .sh)" "$*"; }
