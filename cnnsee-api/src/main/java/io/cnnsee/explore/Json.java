package io.cnnsee.explore;

import java.util.Locale;

/**
 * The little JSON the explorer sends: an appender that writes values in order, so that a layer of
 * 512 channels is one string builder, not a tree of objects. Non-finite numbers become
 * {@code null}, which JSON allows and the page shows as "n/a".
 */
public final class Json {

    private final StringBuilder out = new StringBuilder();
    /** Whether the next value in the current object or array needs a comma before it. */
    private boolean comma;

    /** Starts an object (an opening brace). */
    public Json object() {
        separate();
        out.append('{');
        comma = false;
        return this;
    }

    /** Ends an object. */
    public Json end() {
        out.append('}');
        comma = true;
        return this;
    }

    /** Starts an array (an opening bracket). */
    public Json array() {
        separate();
        out.append('[');
        comma = false;
        return this;
    }

    /** Ends an array. */
    public Json endArray() {
        out.append(']');
        comma = true;
        return this;
    }

    /** A member's name inside an object; the value follows. */
    public Json name(String name) {
        separate();
        quote(out, name);
        out.append(':');
        comma = false;
        return this;
    }

    public Json value(String value) {
        separate();
        if (value == null) {
            out.append("null");
        } else {
            quote(out, value);
        }
        comma = true;
        return this;
    }

    public Json value(boolean value) {
        separate();
        out.append(value);
        comma = true;
        return this;
    }

    public Json value(long value) {
        separate();
        out.append(value);
        comma = true;
        return this;
    }

    /** A number in its shortest exact form as a float, or {@code null} when not finite. */
    public Json value(float value) {
        separate();
        if (Float.isFinite(value)) {
            out.append(number(Float.toString(value)));
        } else {
            out.append("null");
        }
        comma = true;
        return this;
    }

    /** A number in its shortest exact form, or {@code null} when not finite. */
    public Json value(double value) {
        separate();
        if (Double.isFinite(value)) {
            out.append(number(Double.toString(value)));
        } else {
            out.append("null");
        }
        comma = true;
        return this;
    }

    /** An array of numbers. */
    public Json values(float[] values) {
        array();
        for (float v : values) {
            value(v);
        }
        return endArray();
    }

    /** An array of numbers. */
    public Json values(double[] values) {
        array();
        for (double v : values) {
            value(v);
        }
        return endArray();
    }

    /** A piece of JSON made elsewhere, as the next value. */
    public Json raw(String json) {
        separate();
        out.append(json);
        comma = true;
        return this;
    }

    @Override
    public String toString() {
        return out.toString();
    }

    /** {@code s} as a JSON string, quotes included; safe inside an HTML script element too. */
    public static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2);
        quote(b, s);
        return b.toString();
    }

    private void separate() {
        if (comma) {
            out.append(',');
        }
    }

    private static String number(String javaForm) {
        // Java writes 1.0E-5; JSON wants 1.0E-5 too, but "1.0" is better said "1".
        return javaForm.endsWith(".0") ? javaForm.substring(0, javaForm.length() - 2) : javaForm;
    }

    private static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                // "</script>" must not end the page's script element; "<" alone is harmless but cheap to escape.
                case '<', '>', '&', '\u2028', '\u2029' -> b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
