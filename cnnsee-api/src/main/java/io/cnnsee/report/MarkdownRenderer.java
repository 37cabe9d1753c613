package io.cnnsee.report;

import io.cnnsee.report.ReportDocument.Block;
import io.cnnsee.report.ReportDocument.ColumnLabels;
import io.cnnsee.report.ReportDocument.Footer;
import io.cnnsee.report.ReportDocument.Heading;
import io.cnnsee.report.ReportDocument.Inline;
import io.cnnsee.report.ReportDocument.Kind;
import io.cnnsee.report.ReportDocument.LayerName;
import io.cnnsee.report.ReportDocument.LineBreak;
import io.cnnsee.report.ReportDocument.Link;
import io.cnnsee.report.ReportDocument.Paragraph;
import io.cnnsee.report.ReportDocument.Pictures;
import io.cnnsee.report.ReportDocument.Section;
import io.cnnsee.report.ReportDocument.Settings;
import io.cnnsee.report.ReportDocument.SideBySide;
import io.cnnsee.report.ReportDocument.Strong;
import io.cnnsee.report.ReportDocument.Table;
import io.cnnsee.report.ReportDocument.Text;
import io.cnnsee.report.ReportDocument.Wording;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A {@link ReportDocument} as Markdown: blocks separated by a blank line, side-by-side columns
 * as a table. Text from the inspection is escaped ({@link Markdown#escape}); the report's own
 * wording is not, so the file reads as plain text too.
 */
final class MarkdownRenderer {

    private MarkdownRenderer() {
    }

    static String render(ReportDocument document) {
        return "# " + Markdown.escape(document.title()) + "\n\n" + blocks(document.blocks(), false);
    }

    /** The blocks that say something, a blank line between them. */
    private static String blocks(List<Block> blocks, boolean inCell) {
        List<String> parts = new ArrayList<>();
        for (Block block : blocks) {
            String part = block(block, inCell);
            if (!part.isEmpty()) {
                parts.add(part);
            }
        }
        return String.join("\n", parts);
    }

    private static String block(Block block, boolean inCell) {
        if (block instanceof Heading b) {
            return "#".repeat(b.level()) + " " + inline(b.text()) + "\n";
        } else if (block instanceof Paragraph b) {
            return (b.kind() == Kind.WARNING ? "> " : "") + inline(b.text()) + "\n";
        } else if (block instanceof Pictures b) {
            return b.pictures().stream().map(p -> "![" + inline(List.of(p.alt())) + "](" + p.file() + ")")
                    .collect(Collectors.joining(" ")) + "\n";
        } else if (block instanceof Settings b) {
            return b.settings().stream().map(s -> "- " + s.name() + ": " + Markdown.escape(s.value()) + "\n")
                    .collect(Collectors.joining());
        } else if (block instanceof Table b) {
            return inCell ? rowsAsLines(b) : table(b);
        } else if (block instanceof Section b) {
            return "## " + inline(b.heading()) + "\n\n" + blocks(b.body(), inCell);
        } else if (block instanceof ColumnLabels) {
            return ""; // every side-by-side table has them in its header
        } else if (block instanceof SideBySide b) {
            return sideBySide(b);
        } else if (block instanceof Footer b) {
            return b.notes().stream().map(n -> inline(n) + "\n").collect(Collectors.joining("\n"));
        }
        throw new IllegalArgumentException("No Markdown for " + block);
    }

    private static String table(Table t) {
        StringBuilder m = new StringBuilder("|");
        t.columns().forEach(c -> m.append(' ').append(Markdown.escape(c.name())).append(" |"));
        m.append("\n|");
        t.columns().forEach(c -> m.append(c.numeric() ? " ---: |" : " --- |"));
        m.append('\n');
        for (List<Inline> row : t.rows()) {
            m.append('|');
            row.forEach(cell -> m.append(' ').append(inline(List.of(cell))).append(" |"));
            m.append('\n');
        }
        return m.toString();
    }

    /** A table inside a table cell, which Markdown cannot hold: one line per row, its cells separated by commas. */
    private static String rowsAsLines(Table t) {
        return t.rows().stream().map(row -> row.stream().map(cell -> inline(List.of(cell))).collect(Collectors.joining(", ")) + "\n")
                .collect(Collectors.joining("\n"));
    }

    private static String sideBySide(SideBySide s) {
        StringBuilder m = new StringBuilder("|");
        s.labels().forEach(label -> m.append(' ').append(Markdown.escape(label)).append(" |"));
        m.append("\n|");
        s.labels().forEach(label -> m.append(" --- |"));
        m.append("\n|");
        for (List<Block> cell : s.cells()) {
            // A table cell is one line: paragraphs become line breaks.
            m.append(' ').append(blocks(cell, true).strip().replace("\n\n", "<br>").replace("\n", " ")).append(" |");
        }
        return m.append('\n').toString();
    }

    private static String inline(List<Inline> runs) {
        StringBuilder m = new StringBuilder();
        for (Inline run : runs) {
            if (run instanceof Text t) {
                m.append(Markdown.escape(t.text()));
            } else if (run instanceof Wording w) {
                m.append(w.text());
            } else if (run instanceof Strong s) {
                m.append("**").append(s.text()).append("**");
            } else if (run instanceof Link l) {
                m.append('[').append(l.text()).append("](").append(l.file()).append(')');
            } else if (run instanceof LayerName n) {
                m.append("(`").append(n.name().replace("`", "")).append("`)"); // a code span cannot hold its own quote
            } else if (run instanceof LineBreak) {
                m.append("  \n");
            }
        }
        return m.toString();
    }
}
