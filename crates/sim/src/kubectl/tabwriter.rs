//! Go's `text/tabwriter` with the settings kubectl's describers use (`minwidth 0, tabwidth 8, padding 2,
//! padchar ' ', flags 0`): tab-terminated cells are aligned per column block, a block being the consecutive
//! lines that have a cell in that column. The last cell of a line is not part of any column.

const PADDING: usize = 2;

/// Aligns text written between two flushes of the writer.
pub fn align(text: &str) -> String {
    let terminated = text.ends_with('\n');
    let body = text.strip_suffix('\n').unwrap_or(text);
    if body.is_empty() && !terminated {
        return String::new();
    }
    let lines: Vec<Vec<&str>> = body.split('\n').map(|l| l.split('\t').collect()).collect();
    let mut widths = Vec::new();
    let mut out = String::new();
    format_block(&lines, 0, lines.len(), &mut widths, &mut out);
    if !terminated {
        out.pop();
    }
    out
}

/// `Writer.format`: finds the blocks of column `widths.len()` within `lines[start..end]`, sizes each, and
/// recurses into the next column.
fn format_block(
    lines: &[Vec<&str>],
    start: usize,
    end: usize,
    widths: &mut Vec<usize>,
    out: &mut String,
) {
    let column = widths.len();
    let mut printed = start;
    let mut line = start;
    while line < end {
        if column + 1 >= lines[line].len() {
            line += 1;
            continue;
        }
        write_lines(lines, printed, line, widths, out);
        let block_start = line;
        let mut width = 0;
        while line < end && column + 1 < lines[line].len() {
            width = width.max(lines[line][column].chars().count() + PADDING);
            line += 1;
        }
        widths.push(width);
        format_block(lines, block_start, line, widths, out);
        widths.pop();
        printed = line;
    }
    write_lines(lines, printed, end, widths, out);
}

fn write_lines(lines: &[Vec<&str>], start: usize, end: usize, widths: &[usize], out: &mut String) {
    for cells in &lines[start..end] {
        for (index, cell) in cells.iter().enumerate() {
            out.push_str(cell);
            if let Some(width) = widths.get(index).filter(|_| index + 1 < cells.len()) {
                let used = cell.chars().count();
                out.push_str(&" ".repeat(width.saturating_sub(used)));
            }
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_within_blocks_of_consecutive_lines() {
        assert_eq!(
            align("Name:\tweb-0\nNamespace:\tdefault\nContainers:\n  nginx:\n    Image:\tnginx\n"),
            "Name:       web-0\nNamespace:  default\nContainers:\n  nginx:\n    Image:  nginx\n"
        );
    }

    #[test]
    fn a_line_with_fewer_cells_ends_the_inner_column() {
        assert_eq!(align("a\tb\tc\naaaa\tb\nx\n"), "a     b  c\naaaa  b\nx\n");
    }
}
