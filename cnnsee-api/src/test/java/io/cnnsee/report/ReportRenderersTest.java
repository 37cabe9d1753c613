package io.cnnsee.report;

import io.cnnsee.report.ReportDocument.ColumnLabels;
import io.cnnsee.report.ReportDocument.Footer;
import io.cnnsee.report.ReportDocument.Heading;
import io.cnnsee.report.ReportDocument.Inline;
import io.cnnsee.report.ReportDocument.Kind;
import io.cnnsee.report.ReportDocument.LayerName;
import io.cnnsee.report.ReportDocument.LineBreak;
import io.cnnsee.report.ReportDocument.Link;
import io.cnnsee.report.ReportDocument.Look;
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
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One hand-made document, both formats, exactly: what is escaped where, and how blocks are laid out. */
class ReportRenderersTest {

    static final String LAYER = "<b>|*`x";
    static final List<TableColumn> CLASSES = List.of(new TableColumn("probability", true), new TableColumn("class", false));

    static final ReportDocument ONE = new ReportDocument("What Net<1> sees in a|b*.png", false, List.of(
            new Paragraph(Kind.WARNING, List.of(new Strong("Random weights."), new Wording(" Not trained."))),
            new Pictures(List.of(new Picture(Look.ORIGINAL, "original.png", new Text("a|b*.png")))),
            new Settings(List.of(new Setting("Model", "Net<1>"), new Setting("Ranker", "l2*"))),
            new Paragraph(Kind.PLAIN, List.of(new Link("Browse", "explore.html"))),
            new Section(List.of(new Text("Block 1"), new Wording(" "), new LayerName(LAYER)), List.of(
                    new Paragraph(Kind.PLAIN, List.of(new Wording("Image dimensions: 8x8 px"), new LineBreak(),
                            new Wording("Number: 4"))),
                    new Pictures(List.of(new Picture(Look.GRID, "b.png", new Text("top channels of " + LAYER)))),
                    new Paragraph(Kind.CAPTION, List.of(new Wording("Shown: #3 (1.0) by "), new Text(LAYER))),
                    new Heading(3, List.of(new Text("What " + LAYER + "'s channels look for"))),
                    new Pictures(List.of(new Picture(Look.THUMBNAIL, "t1.png", new Wording("one")),
                            new Picture(Look.THUMBNAIL, "t2.png", new Wording("two")))),
                    new Table(CLASSES, List.of(List.of(new Wording("25.0 %"), new Text("tabby <cat> | *striped*")))))),
            new Footer(List.of(List.of(new Wording("Weights: "), new Text("CC-BY <4>"), new Wording("."))))));

    static final ReportDocument TWO = new ReportDocument("Sanity & check", true, List.of(
            new ColumnLabels(List.of("Trained", "Random weights")),
            new Section(List.of(new Wording("Where it sees it")), List.of(new SideBySide(List.of("Trained", "Random weights"),
                    List.of(List.of(new Pictures(List.of(new Picture(Look.MAP, "g.png", new Wording("Grad-CAM")))),
                            new Paragraph(Kind.CAPTION, List.of(new Text("at " + LAYER)))), List.of())))),
            new Section(List.of(new Wording("What the network sees")), List.of(new SideBySide(List.of("Trained", "Random weights"),
                    List.of(List.of(new Paragraph(Kind.PLAIN, List.of(new Wording("The 1 most probable classes:"))),
                                    new Table(CLASSES, List.of(List.<Inline>of(new Wording("25.0 %"), new Text("a|b"))))),
                            List.of(new Table(CLASSES, List.of(List.of(new Wording("1.0 %"), new Text("x")),
                                    List.of(new Wording("2.0 %"), new Text("y"))))))))),
            new Footer(List.of())));

    @Test
    void htmlEscapesAllTextAndMarksUpEachBlock() {
        String html = HtmlRenderer.render(ONE);
        assertThat(html).startsWith("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                + "<title>What Net&lt;1&gt; sees in a|b*.png</title>\n").contains("max-width:72rem");
        assertThat(html.substring(html.indexOf("<body>"))).isEqualTo("""
                <body>
                <h1>What Net&lt;1&gt; sees in a|b*.png</h1>
                <p class="warning"><strong>Random weights.</strong> Not trained.</p>
                <p><img class="original" src="original.png" alt="a|b*.png"></p>
                <table>
                <tr><td>Model</td><td>Net&lt;1&gt;</td></tr>
                <tr><td>Ranker</td><td>l2*</td></tr>
                </table>
                <p><a href="explore.html">Browse</a></p>
                <section>
                <h2>Block 1 <span class="layer">&lt;b&gt;|*`x</span></h2>
                <p>Image dimensions: 8x8 px<br>
                Number: 4</p>
                <p><img class="grid" src="b.png" alt="top channels of &lt;b&gt;|*`x"></p>
                <p class="shown">Shown: #3 (1.0) by &lt;b&gt;|*`x</p>
                <h3>What &lt;b&gt;|*`x&#39;s channels look for</h3>
                <p><img class="overlay" src="t1.png" alt="one"><img class="overlay" src="t2.png" alt="two"></p>
                <table>
                <tr><th>probability</th><th>class</th></tr>
                <tr><td>25.0 %</td><td>tabby &lt;cat&gt; | *striped*</td></tr>
                </table>
                </section>
                <footer><p class="shown">Made with cnnsee. Weights: CC-BY &lt;4&gt;.</p></footer>
                </body>
                </html>
                """);
    }

    @Test
    void markdownEscapesTheInspectionsTextButNotItsOwnWording() {
        assertThat(MarkdownRenderer.render(ONE)).isEqualTo("""
                # What Net\\<1\\> sees in a\\|b\\*.png

                > **Random weights.** Not trained.

                ![a\\|b\\*.png](original.png)

                - Model: Net\\<1\\>
                - Ranker: l2\\*

                [Browse](explore.html)

                ## Block 1 (`<b>|*x`)

                Image dimensions: 8x8 px\s\s
                Number: 4

                ![top channels of \\<b\\>\\|\\*\\`x](b.png)

                Shown: #3 (1.0) by \\<b\\>\\|\\*\\`x

                ### What \\<b\\>\\|\\*\\`x's channels look for

                ![one](t1.png) ![two](t2.png)

                | probability | class |
                | ---: | --- |
                | 25.0 % | tabby \\<cat\\> \\| \\*striped\\* |

                Weights: CC-BY \\<4\\>.
                """);
    }

    @Test
    void sideBySideColumnsAreLabelledOnceInHtmlAndPerTableInMarkdown() {
        String html = HtmlRenderer.render(TWO);
        assertThat(html).contains("max-width:96rem");
        assertThat(html.substring(html.indexOf("<body>"))).isEqualTo("""
                <body>
                <h1>Sanity &amp; check</h1>
                <table class="side"><tr><th>Trained</th><th>Random weights</th></tr></table>
                <section>
                <h2>Where it sees it</h2>
                <table class="side"><tr><td><p><img class="gradcam" src="g.png" alt="Grad-CAM"></p>
                <p class="shown">at &lt;b&gt;|*`x</p>
                </td><td></td></tr></table>
                </section>
                <section>
                <h2>What the network sees</h2>
                <table class="side"><tr><td><p>The 1 most probable classes:</p>
                <table>
                <tr><th>probability</th><th>class</th></tr>
                <tr><td>25.0 %</td><td>a|b</td></tr>
                </table>
                </td><td><table>
                <tr><th>probability</th><th>class</th></tr>
                <tr><td>1.0 %</td><td>x</td></tr>
                <tr><td>2.0 %</td><td>y</td></tr>
                </table>
                </td></tr></table>
                </section>
                <footer><p class="shown">Made with cnnsee.</p></footer>
                </body>
                </html>
                """);
        // A Markdown table cell is one line and cannot hold a table: its rows become lines.
        assertThat(MarkdownRenderer.render(TWO)).isEqualTo("""
                # Sanity & check

                ## Where it sees it

                | Trained | Random weights |
                | --- | --- |
                | ![Grad-CAM](g.png)<br>at \\<b\\>\\|\\*\\`x |  |

                ## What the network sees

                | Trained | Random weights |
                | --- | --- |
                | The 1 most probable classes:<br>25.0 %, a\\|b | 1.0 %, x<br>2.0 %, y |
                """);
    }

    @Test
    void aPicturesAlternativeTextIsPlainText() {
        assertThatThrownBy(() -> new Picture(Look.GRID, "a.png", new Strong("no")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
