package io.cnnsee.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code cnnsee} command line. */
@Command(name = "cnnsee", mixinStandardHelpOptions = true, version = "cnnsee 0.1.0",
        description = "Shows what a convolutional network (VGG16, a zoo network or your own) sees in your pictures.",
        subcommands = {InspectCommand.class, VisualizeCommand.class, AtlasCommand.class, ServeCommand.class,
                CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:bad input (a picture or weights file could not be used)", "2:usage error"})
public final class Cnnsee implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code; for tests and embedding. */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Cnnsee());
        // A usage error is one line of reason and a pointer to help, never a stack trace.
        cli.setParameterExceptionHandler((e, args) -> {
            java.io.PrintWriter err = e.getCommandLine().getErr();
            err.println("cnnsee: " + e.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
            err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more information.");
            err.flush();
            return e.getCommandLine().getCommandSpec().exitCodeOnInvalidInput();
        });
        return cli;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: try 'cnnsee inspect IMAGE'");
    }
}
