package io.cnnsee.atlas;

import io.cnnsee.report.Html;

import java.util.Locale;

/** A {@link FaithfulnessSummary} as a section of the atlas' index and as CSV, the most faithful method first. */
final class FaithfulnessPage {

    static final String CSV = "faithfulness.csv";

    private FaithfulnessPage() {
    }

    static String section(FaithfulnessSummary s) {
        boolean road = s.means().stream().anyMatch(m -> !Double.isNaN(m.road()));
        StringBuilder h = new StringBuilder("<h2>Which explanation to trust</h2>\n<p>Each method's class activation map at ")
                .append(Html.escape(s.layer())).append(" for each picture's most probable class, scored over ")
                .append(s.pictures()).append(" pictures with curves of ").append(s.steps())
                .append(" steps (docs/explanations.md); the most faithful first. &plusmn; is the standard error of the mean:"
                        + " methods closer than about twice it are not told apart by these pictures. <a href=\"")
                .append(CSV).append("\">CSV</a></p>\n<table>\n<tr><th>method</th><th>insertion - deletion</th><th>deletion</th>"
                        + "<th>insertion</th><th>average drop</th><th>confidence up</th>");
        if (road) {
            h.append("<th>ROAD</th>");
        }
        h.append("<th>best on</th></tr>\n");
        for (FaithfulnessSummary.MethodMean m : s.means()) {
            h.append("<tr><td>").append(Html.escape(m.method())).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%+.3f &plusmn; %.3f", m.difference(), m.differenceError()))
                    .append("</td><td>").append(String.format(Locale.ROOT, "%.3f", m.deletion()))
                    .append("</td><td>").append(String.format(Locale.ROOT, "%.3f", m.insertion()))
                    .append("</td><td>").append(String.format(Locale.ROOT, "%.1f %%", 100 * m.averageDrop()))
                    .append("</td><td>").append(String.format(Locale.ROOT, "%.0f %%", 100 * m.increase())).append("</td>");
            if (road) {
                h.append("<td>").append(Double.isNaN(m.road()) ? "" : String.format(Locale.ROOT, "%+.3f", m.road())).append("</td>");
            }
            h.append("<td>").append(m.best()).append(" of ").append(m.pictures()).append("</td></tr>\n");
        }
        return h.append("</table>\n").toString();
    }

    static String csv(FaithfulnessSummary s) {
        StringBuilder c = new StringBuilder("method,pictures,insertion_minus_deletion,standard_error,deletion,insertion,"
                + "average_drop,confidence_up,road,best\n");
        for (FaithfulnessSummary.MethodMean m : s.means()) {
            c.append('"').append(m.method().replace("\"", "\"\"")).append('"').append(String.format(Locale.ROOT,
                    ",%d,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%s,%d%n", m.pictures(), m.difference(), m.differenceError(), m.deletion(),
                    m.insertion(), m.averageDrop(), m.increase(), Double.isNaN(m.road()) ? "" : String.format(Locale.ROOT,
                            "%.6f", m.road()), m.best()));
        }
        return c.toString();
    }
}
