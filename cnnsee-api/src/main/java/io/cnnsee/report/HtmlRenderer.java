package io.cnnsee.report;

import io.cnnsee.report.ReportDocument.Block;
import io.cnnsee.report.ReportDocument.ColumnLabels;
import io.cnnsee.report.ReportDocument.Footer;
import io.cnnsee.report.ReportDocument.Heading;
import io.cnnsee.report.ReportDocument.Inline;
import io.cnnsee.report.ReportDocument.LayerName;
import io.cnnsee.report.ReportDocument.LineBreak;
import io.cnnsee.report.ReportDocument.Link;
import io.cnnsee.report.ReportDocument.Paragraph;
import io.cnnsee.report.ReportDocument.Picture;
import io.cnnsee.report.ReportDocument.Pictures;
import io.cnnsee.report.ReportDocument.Section;
import io.cnnsee.report.ReportDocument.Setting;
import io.cnnsee.report.ReportDocument.Settings;
import io.cnnsee.report.ReportDocument.SideBySide;
import io.cnnsee.report.ReportDocument.Strong;
import io.cnnsee.report.ReportDocument.Table;
import io.cnnsee.report.ReportDocument.TableColumn;
import io.cnnsee.report.ReportDocument.Text;
import io.cnnsee.report.ReportDocument.Wording;

import java.util.List;
import java.util.Locale;

/**
 * A {@link ReportDocument} as one HTML page with its style inline, so the folder is the whole
 * report. All text is escaped ({@link Html#escape}), the report's own wording too.
 */
final class HtmlRenderer {

    private HtmlRenderer() {
    }

    static String render(ReportDocument document) {
        StringBuilder h = new StringBuilder(8192);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<title>").append(Html.escape(document.title())).append("</title>\n")
                .append("<style>\n")
                .append("body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:")
                .append(document.wide() ? "96rem" : "72rem").append(";margin:2rem auto;")
                .append("padding:0 1rem;color:#222;line-height:1.5}\n")
                .append("img{max-width:100%;image-rendering:pixelated;border:1px solid #ddd}\n")
                .append("img.original,img.overlay,img.gradcam{image-rendering:auto}\nimg.original{max-height:24rem}\n")
                .append("img.overlay{width:14rem;margin-right:.4rem}\n")
                // Grids fill the column whatever their map size, as in the article; pixels stay square.
                .append("img.grid{width:100%;height:auto}\n")
                .append("table{border-collapse:collapse}td{padding:.1rem .8rem .1rem 0;vertical-align:top}\n")
                .append("table.side{width:100%;table-layout:fixed}table.side td{width:50%}\n")
                .append(".warning{background:#fff3cd;border:1px solid #e0c060;padding:.6rem 1rem}\n")
                .append(".layer{color:#777;font-weight:normal;font-size:.8em}\n.shown{color:#555;font-size:.9em}\n")
                .append("</style>\n</head>\n<body>\n");
        h.append("<h1>").append(Html.escape(document.title())).append("</h1>\n");
        blocks(h, document.blocks());
        h.append("</body>\n</html>\n");
        return h.toString();
    }

    private static void blocks(StringBuilder h, List<Block> blocks) {
        for (Block block : blocks) {
            block(h, block);
        }
    }

    private static void block(StringBuilder h, Block block) {
        if (block instanceof Heading b) {
            h.append("<h").append(b.level()).append('>');
            inline(h, b.text());
            h.append("</h").append(b.level()).append(">\n");
        } else if (block instanceof Paragraph b) {
            h.append(switch (b.kind()) {
                case PLAIN -> "<p>";
                case CAPTION -> "<p class=\"shown\">";
                case WARNING -> "<p class=\"warning\">";
            });
            inline(h, b.text());
            h.append("</p>\n");
        } else if (block instanceof Pictures b) {
            h.append("<p>");
            for (Picture p : b.pictures()) {
                h.append("<img class=\"").append(style(p.look())).append("\" src=\"").append(Html.escape(p.file()))
                        .append("\" alt=\"");
                inline(h, List.of(p.alt()));
                h.append("\">");
            }
            h.append("</p>\n");
        } else if (block instanceof Settings b) {
            h.append("<table>\n");
            for (Setting s : b.settings()) {
                h.append("<tr><td>").append(Html.escape(s.name())).append("</td><td>").append(Html.escape(s.value()))
                        .append("</td></tr>\n");
            }
            h.append("</table>\n");
        } else if (block instanceof Table b) {
            h.append("<table>\n<tr>");
            for (TableColumn c : b.columns()) {
                h.append("<th>").append(Html.escape(c.name())).append("</th>");
            }
            h.append("</tr>\n");
            for (List<Inline> row : b.rows()) {
                h.append("<tr>");
                for (Inline cell : row) {
                    h.append("<td>");
                    inline(h, List.of(cell));
                    h.append("</td>");
                }
                h.append("</tr>\n");
            }
            h.append("</table>\n");
        } else if (block instanceof Section b) {
            h.append("<section>\n<h2>");
            inline(h, b.heading());
            h.append("</h2>\n");
            blocks(h, b.body());
            h.append("</section>\n");
        } else if (block instanceof ColumnLabels b) {
            h.append("<table class=\"side\"><tr>");
            b.labels().forEach(label -> h.append("<th>").append(Html.escape(label)).append("</th>"));
            h.append("</tr></table>\n");
        } else if (block instanceof SideBySide b) {
            // The labels head the page once (ColumnLabels), not every row.
            h.append("<table class=\"side\"><tr>");
            for (List<Block> cell : b.cells()) {
                h.append("<td>");
                blocks(h, cell);
                h.append("</td>");
            }
            h.append("</tr></table>\n");
        } else if (block instanceof Footer b) {
            h.append("<footer><p class=\"shown\">Made with cnnsee.");
            for (List<Inline> note : b.notes()) {
                h.append(' ');
                inline(h, note);
            }
            h.append("</p></footer>\n");
        } else {
            throw new IllegalArgumentException("No HTML for " + block);
        }
    }

    private static void inline(StringBuilder h, List<Inline> runs) {
        for (Inline run : runs) {
            if (run instanceof Text t) {
                h.append(Html.escape(t.text()));
            } else if (run instanceof Wording w) {
                h.append(Html.escape(w.text()));
            } else if (run instanceof Strong s) {
                h.append("<strong>").append(Html.escape(s.text())).append("</strong>");
            } else if (run instanceof Link l) {
                h.append("<a href=\"").append(Html.escape(l.file())).append("\">").append(Html.escape(l.text())).append("</a>");
            } else if (run instanceof LayerName n) {
                h.append("<span class=\"layer\">").append(Html.escape(n.name())).append("</span>");
            } else if (run instanceof LineBreak) {
                h.append("<br>\n");
            }
        }
    }

    /** The class the page's style sizes a picture by. */
    private static String style(ReportDocument.Look look) {
        return switch (look) {
            case THUMBNAIL -> "overlay";
            case MAP -> "gradcam";
            default -> look.name().toLowerCase(Locale.ROOT);
        };
    }
}
