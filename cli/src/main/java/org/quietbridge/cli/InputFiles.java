package org.quietbridge.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Checks that a file the operator named can be read, with the message a shell would give. */
final class InputFiles {
    private InputFiles() {
    }

    /**
     * Returns {@code file} if it is a readable regular file.
     *
     * @throws BadInputException {@code cannot read FILE: No such file} and the like
     */
    static Path readable(Path file) {
        if (!Files.exists(file)) {
            throw cannotRead(file, "No such file");
        }
        if (Files.isDirectory(file)) {
            throw cannotRead(file, "Is a directory");
        }
        if (!Files.isReadable(file)) {
            throw cannotRead(file, "Permission denied");
        }
        return file;
    }

    /** Turns an I/O failure on an input file into a one-line {@link BadInputException}. */
    static BadInputException cannotRead(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return cannotRead(file, "No such file");
        }
        if (e instanceof AccessDeniedException) {
            return cannotRead(file, "Permission denied");
        }
        String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return cannotRead(file, reason);
    }

    private static BadInputException cannotRead(Path file, String reason) {
        return new BadInputException("cannot read " + file + ": " + reason);
    }
}
