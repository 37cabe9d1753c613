package io.cnnsee.report;

/** Escapes text so Markdown shows it literally. */
public final class Markdown {

    private static final String SPECIAL = "\\`*_{}[]()<>#+!|";

    private Markdown() {
    }

    public static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (SPECIAL.indexOf(c) >= 0) {
                out.append('\\');
            }
            out.append(c == '\n' || c == '\r' ? ' ' : c);
        }
        return out.toString();
    }
}
