//! Go's `text/tabwriter` column layout, as kubectl's table printer and describers use it.
//!
//! # Model
//! - Text is cut into lines at `\n` and lines into cells at `\t`. A cell ended by a tab belongs to a
//!   column; the text after a line's last tab does not and is written as it is (never padded).
//! - A column block is a run of consecutive lines that all have a cell in that column. Its width is
//!   the widest cell plus `padding`, at least `min_width`; widths are counted in characters.
//! - Blocks nest to the right exactly as Go's recursive `format` does, so a line with fewer cells
//!   ends the blocks of the columns it lacks.
//! - Padding is spaces; no flags (no right alignment, no discarding of empty columns).

/// kubectl get's writer: `tabwriter.NewWriter(out, 6, 4, 3, ' ', RememberWidths)`.
pub const GET_MIN_WIDTH: usize = 6;
/// kubectl get's padding.
pub const GET_PADDING: usize = 3;
/// kubectl describe's writer: `out.Init(buf, 0, 8, 2, ' ', 0)`.
pub const DESCRIBE_MIN_WIDTH: usize = 0;
/// kubectl describe's padding.
pub const DESCRIBE_PADDING: usize = 2;

/// Lays out tab-separated `text` as Go's tabwriter does with `min_width` and `padding`.
pub fn layout(text: &str, min_width: usize, padding: usize) -> String {
    let mut lines: Vec<Vec<&str>> = text.split('\n').map(|line| line.split('\t').collect()).collect();
    // `split` yields a final empty segment after a trailing newline: that is "no partial line".
    let trailing_partial = lines.pop().filter(|last| !(last.len() == 1 && last[0].is_empty()));
    let mut writer =
        Writer { lines: &lines, min_width, padding, widths: Vec::new(), out: String::with_capacity(text.len() * 2) };
    writer.format(0, lines.len());
    let mut out = writer.out;
    if let Some(partial) = trailing_partial {
        out.push_str(&partial.join("\t"));
    }
    out
}

/// Lays out a `kubectl get` table.
pub fn layout_table(text: &str) -> String {
    layout(text, GET_MIN_WIDTH, GET_PADDING)
}

/// Lays out `kubectl describe` output.
pub fn layout_describe(text: &str) -> String {
    layout(text, DESCRIBE_MIN_WIDTH, DESCRIBE_PADDING)
}

struct Writer<'a> {
    lines: &'a [Vec<&'a str>],
    min_width: usize,
    padding: usize,
    widths: Vec<usize>,
    out: String,
}

impl Writer<'_> {
    fn format(&mut self, mut line0: usize, line1: usize) {
        let column = self.widths.len();
        let mut this = line0;
        while this < line1 {
            if column + 1 >= self.lines[this].len() {
                this += 1;
                continue;
            }
            // A cell exists in this column: print the lines before the block, then measure the block.
            self.write_lines(line0, this);
            line0 = this;
            let mut width = self.min_width;
            while this < line1 {
                let line = &self.lines[this];
                if column + 1 >= line.len() {
                    break;
                }
                width = width.max(line[column].chars().count() + self.padding);
                this += 1;
            }
            self.widths.push(width);
            self.format(line0, this);
            self.widths.pop();
            line0 = this;
        }
        self.write_lines(line0, line1);
    }

    fn write_lines(&mut self, line0: usize, line1: usize) {
        for line in &self.lines[line0..line1] {
            for (j, cell) in line.iter().enumerate() {
                self.out.push_str(cell);
                if j + 1 < line.len()
                    && let Some(&width) = self.widths.get(j)
                {
                    let pad = width.saturating_sub(cell.chars().count());
                    self.out.extend(std::iter::repeat_n(' ', pad));
                }
            }
            self.out.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::expect;

    #[test]
    fn table_columns_should_pad_to_widest_cell_plus_three() {
        let out = layout_table("NAME\tSTATUS\tAGE\nlong-name\tBound\t5s\nx\t\t1m\n");
        expect![[r#"
            NAME        STATUS   AGE
            long-name   Bound    5s
            x                    1m
        "#]]
        .assert_eq(&out);
    }

    #[test]
    fn min_width_should_apply_to_narrow_columns() {
        assert_eq!(layout_table("A\tB\nx\ty\n"), "A     B\nx     y\n");
    }

    #[test]
    fn lines_with_fewer_cells_should_end_column_blocks() {
        let out = layout_describe("Name:\tpv\nSource:\n  Type:\tNFS (x)\n  Server:\t10.0.0.1\nEvents:\t<none>\n");
        expect![[r#"
            Name:  pv
            Source:
              Type:    NFS (x)
              Server:  10.0.0.1
            Events:    <none>
        "#]]
        .assert_eq(&out);
    }

    #[test]
    fn empty_trailing_cells_should_still_pad_the_cell_before() {
        assert_eq!(layout_describe("Namespace:\t\nName:\tx\n"), "Namespace:  \nName:       x\n");
    }
}
