package io.cnnsee.serve;

import org.eclipse.jetty.http.HttpStatus;

/**
 * The numbers a request names (a class, a layer, a channel), read as indices into what exists:
 * a number out of range is told as such, however many digits it has, and a word as not a number.
 */
final class Indices {

    private Indices() {
    }

    /**
     * {@code value} as one of {@code 0..count-1}, or a 400 saying what is wrong.
     *
     * @param what  what the number names, capitalised: "Class", "Layer"
     * @param among what there is, for the message: "Colours has 3 classes"
     */
    static int of(String value, String what, int count, String among) {
        String range = count > 0 ? "0.." + (count - 1) : "none";
        if (value == null || value.isEmpty()) {
            throw new Refused(HttpStatus.BAD_REQUEST_400, what + " is missing: give one of " + range + " (" + among + ")");
        }
        if (!value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new Refused(HttpStatus.BAD_REQUEST_400, what + " must be a whole number, one of " + range + "; was '"
                    + value + "'");
        }
        String digits = value.replaceFirst("^0+(?=.)", "");
        if (digits.length() > 9 || Integer.parseInt(digits) >= count) {
            throw new Refused(HttpStatus.BAD_REQUEST_400, what + " " + digits + " is out of range: it is not one of "
                    + range + " (" + among + ")");
        }
        return Integer.parseInt(digits);
    }
}
