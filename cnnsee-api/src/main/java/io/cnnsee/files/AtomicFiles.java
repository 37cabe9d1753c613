package io.cnnsee.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Random;

/** Writes files so that they appear whole or not at all: a temporary file, then a rename. */
public final class AtomicFiles {

    private static final Random NAMES = new SecureRandom();

    private AtomicFiles() {
    }

    /** Writes {@code bytes} to {@code file}, replacing it; a reader never sees half a file. */
    public static void write(Path file, byte[] bytes) throws IOException {
        Path target = file.toAbsolutePath();
        PartFile part = openPartFile(target);
        boolean moved = false;
        try {
            // Written through the channel that created it: opening it again cost a report 1 ms in 4.
            try (FileChannel channel = part.channel()) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }
            moveIntoPlace(part.path(), target);
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(part.path());
            }
        }
    }

    /**
     * A new, empty, hidden file beside {@code target} (its folder made if missing), to be written
     * and then moved into place. It is created as any new file is, so it gets the permissions the
     * user's umask gives: {@code Files.createTempFile} would make it readable by its owner only,
     * and a report folder served or shared from there would not open for anyone else.
     */
    public static Path createPartFile(Path target) throws IOException {
        PartFile part = openPartFile(target);
        part.channel().close();
        return part.path();
    }

    /** A part file just made, and the channel open on it for writing. */
    private record PartFile(Path path, FileChannel channel) {
    }

    private static PartFile openPartFile(Path target) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Files.createDirectories(dir);
        for (int attempt = 0; ; attempt++) {
            Path temp = dir.resolve("." + absolute.getFileName() + "." + Long.toUnsignedString(NAMES.nextLong(), 36) + ".part");
            try {
                return new PartFile(temp, FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
            } catch (FileAlreadyExistsException e) {
                if (attempt == 9) {
                    throw e; // ten random names taken: something else is wrong
                }
            }
        }
    }

    /** Renames {@code source} to {@code target} atomically where the file system can. */
    public static void moveIntoPlace(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
