package io.cnnsee;

/** A picture could not be read: missing, empty, not a format Java decodes, or over the pixel limit. */
public class UnreadablePictureException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String picture;

    /**
     * @param picture the file or stream's name
     * @param reason  why, in words the user can act on
     */
    public UnreadablePictureException(String picture, String reason, Throwable cause) {
        super("Cannot read picture " + picture + ": " + reason, cause);
        this.picture = picture;
    }

    public UnreadablePictureException(String picture, String reason) {
        this(picture, reason, null);
    }

    /** The file or stream that could not be read. */
    public String picture() {
        return picture;
    }
}
