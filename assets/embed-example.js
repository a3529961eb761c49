// The host side of the embedding API (see src/sharing/embed.rs): every message carries `ordinal: 1` and a `type`.
// Each player is told apart by the window its messages come from.
const TWO_REPLICAS = `name: two-replicas
manifests: |
  apiVersion: v1
  kind: Service
  metadata:
    name: nginx
  spec:
    clusterIP: None
    selector:
      app: nginx
  ---
  apiVersion: apps/v1
  kind: StatefulSet
  metadata:
    name: web
  spec:
    serviceName: nginx
    replicas: 2
    selector:
      matchLabels:
        app: nginx
    template:
      metadata:
        labels:
          app: nginx
      spec:
        containers:
        - name: nginx
          image: nginx:1.27
`;

for (const section of document.querySelectorAll('[data-player]')) {
  const frame = section.querySelector('iframe');
  const log = section.querySelector('.log');
  const write = (text) => {
    const item = document.createElement('li');
    item.textContent = text;
    log.prepend(item);
  };
  for (const button of section.querySelectorAll('[data-send]')) {
    button.addEventListener('click', () => {
      const message = { ordinal: 1, type: button.dataset.send };
      if (button.dataset.at) message.at = Number(button.dataset.at);
      if (message.type === 'load') message.scenario = TWO_REPLICAS;
      frame.contentWindow.postMessage(message, '*');
    });
  }
  window.addEventListener('message', (event) => {
    if (event.source !== frame.contentWindow || event.data?.ordinal !== 1) return;
    const { type, ...rest } = event.data;
    section.dataset[type] = String(Number(section.dataset[type] ?? 0) + 1);
    if (type === 'event') write(`${(rest.at / 1000).toFixed(1)}s ${rest.reason} ${rest.object}: ${rest.message}`);
    else if (type === 'state') write(`state at ${(rest.at / 1000).toFixed(1)}s, ${rest.playing ? 'playing' : 'paused'}: ${rest.pods.map((p) => `${p.name} ${p.status}`).join(', ') || 'no pods'}`);
    else write(`${type}${rest.message ? `: ${rest.message}` : ''}`);
  });
}

// The page's own theme switch: the players follow it, as they follow the reader's system setting otherwise.
document.getElementById('dark-page').addEventListener('change', (event) => {
  const theme = event.target.checked ? 'dark' : 'light';
  document.documentElement.dataset.theme = theme;
  for (const frame of document.querySelectorAll('iframe')) frame.contentWindow.postMessage({ ordinal: 1, type: 'theme', theme }, '*');
});
