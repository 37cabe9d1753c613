package io.cnnsee.cli;

import io.cnnsee.UnknownLayerException;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.List;

/** How the commands tell a failure: by the exception's type, never by its text. */
final class Failures {

    private Failures() {
    }

    /**
     * An unknown layer is a usage error of the option that named it: {@code --grad-cam-layer} when
     * it was that option's layer, else {@code layersOption}.
     */
    static CommandLine.ParameterException unknownLayer(CommandLine commandLine, UnknownLayerException e,
                                                       String layersOption, String otherOption, String otherLayer) {
        String option = otherLayer != null && otherLayer.equals(e.layerName()) ? otherOption : layersOption;
        return new CommandLine.ParameterException(commandLine, option + ": " + e.getMessage());
    }

    /**
     * Prints {@code e} as one line after "cnnsee: ", and the rest of a multi-line message (advice,
     * such as where to download weights); with {@code verbose}, the whole message and the stack
     * trace. Returns 1, the exit code of a failure that is not a usage error.
     */
    static int print(PrintWriter err, Exception e, boolean verbose) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        List<String> lines = message.lines().toList();
        err.println("cnnsee: " + (verbose ? message : lines.get(0)));
        if (verbose) {
            e.printStackTrace(err);
        } else if (lines.size() > 1) {
            err.println(String.join("\n", lines.subList(1, lines.size())));
        }
        err.flush();
        return 1;
    }

    /**
     * A failed Spark job as a person reads it: Spark's message without the task's stack trace, the
     * driver's, or the exception classes' names ("Task 2 in stage 0.0 failed 4 times, most recent
     * failure: Lost task 2.3 ...: No model file at ...").
     */
    static String spark(Throwable e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        StringBuilder kept = new StringBuilder();
        for (String line : message.lines().toList()) {
            if (line.matches("\\s+at .*") || line.startsWith("Driver stacktrace:") || line.matches("\\s*\\.\\.\\. \\d+ more")) {
                break;
            }
            kept.append(kept.length() == 0 ? "" : " ").append(line.strip());
        }
        return kept.toString().replaceFirst("^Job aborted due to stage failure: ", "")
                .replaceAll("(?:[a-z][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error): ", "");
    }

    /** The first line of {@code e}'s message. */
    static String oneLine(Exception e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
