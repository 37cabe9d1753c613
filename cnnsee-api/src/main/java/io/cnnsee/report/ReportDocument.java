package io.cnnsee.report;

import java.util.List;

/**
 * What a report says, described once: {@link HtmlRenderer} and {@link MarkdownRenderer} each
 * walk it, so the two files cannot drift apart. Blocks follow in reading order; text comes in
 * runs that say how it may be escaped.
 *
 * @param title  the page's title and first heading
 * @param wide   whether columns stand side by side (the HTML page is then wider)
 * @param blocks the report, in reading order
 */
record ReportDocument(String title, boolean wide, List<Block> blocks) {

    ReportDocument {
        blocks = List.copyOf(blocks);
    }

    /** A run of text within a block. */
    sealed interface Inline permits Text, Wording, Strong, Link, LayerName, LineBreak {
    }

    /** Text that comes from the inspection (names, labels, sources): escaped in both formats. */
    record Text(String text) implements Inline {
    }

    /**
     * The report's own wording, which Markdown shows as written: escaped for HTML only, so that
     * report.md reads "#3 (0.5)" rather than "\#3 \(0.5\)".
     */
    record Wording(String text) implements Inline {
    }

    /** Wording in bold. */
    record Strong(String text) implements Inline {
    }

    /** Wording linking to a file beside the report. */
    record Link(String text, String file) implements Inline {
    }

    /** A layer's name, set apart after the heading that names its block. */
    record LayerName(String name) implements Inline {
    }

    /** A line break within a paragraph. */
    record LineBreak() implements Inline {
    }

    /** A part of the report that stands on its own lines. */
    sealed interface Block permits Heading, Paragraph, Pictures, Settings, Table, Section, ColumnLabels, SideBySide,
            Footer {
    }

    /** A heading inside a section (level 3 and below; a section's own heading is level 2). */
    record Heading(int level, List<Inline> text) implements Block {
        Heading {
            text = List.copyOf(text);
        }
    }

    /** How a paragraph stands out. */
    enum Kind {
        PLAIN,
        /** What a picture above it shows. */
        CAPTION,
        /** Something the reader must not miss. */
        WARNING
    }

    record Paragraph(Kind kind, List<Inline> text) implements Block {
        Paragraph {
            text = List.copyOf(text);
        }
    }

    /** What a picture is, which sets how large it is shown. */
    enum Look {
        /** The inspected picture. */
        ORIGINAL,
        /** A grid of channels, its pixels kept square. */
        GRID,
        /** One of a row of small pictures. */
        THUMBNAIL,
        /** A map over the picture (Grad-CAM, saliency). */
        MAP,
        /** The first layer's filters. */
        FILTERS
    }

    /** A picture file beside the report; its name is safe in both formats as it is. */
    record Picture(Look look, String file, Inline alt) {
        Picture {
            if (!(alt instanceof Text || alt instanceof Wording)) {
                throw new IllegalArgumentException("A picture's alternative text is plain text, not " + alt);
            }
        }
    }

    /** Pictures in a row. */
    record Pictures(List<Picture> pictures) implements Block {
        Pictures {
            pictures = List.copyOf(pictures);
        }
    }

    /** A setting's name (the report's wording) and its value (the inspection's). */
    record Setting(String name, String value) {
    }

    /** How the inspection was made, one setting a line. */
    record Settings(List<Setting> settings) implements Block {
        Settings {
            settings = List.copyOf(settings);
        }
    }

    /** A column of a table: its name, and whether it holds numbers (aligned right where the format can). */
    record TableColumn(String name, boolean numeric) {
    }

    /** A table, one run of text per cell. */
    record Table(List<TableColumn> columns, List<List<Inline>> rows) implements Block {
        Table {
            columns = List.copyOf(columns);
            rows = rows.stream().map(List::copyOf).toList();
        }
    }

    /** A section under a level-2 heading. */
    record Section(List<Inline> heading, List<Block> body) implements Block {
        Section {
            heading = List.copyOf(heading);
            body = List.copyOf(body);
        }
    }

    /** The names of the side-by-side columns, said once above them where the format can. */
    record ColumnLabels(List<String> labels) implements Block {
        ColumnLabels {
            labels = List.copyOf(labels);
        }
    }

    /** The same part of each inspection, side by side: one cell per column, labelled. */
    record SideBySide(List<String> labels, List<List<Block>> cells) implements Block {
        SideBySide {
            labels = List.copyOf(labels);
            cells = cells.stream().map(List::copyOf).toList();
        }
    }

    /** Notes closing the report (licences), one paragraph each. */
    record Footer(List<List<Inline>> notes) implements Block {
        Footer {
            notes = notes.stream().map(List::copyOf).toList();
        }
    }
}
