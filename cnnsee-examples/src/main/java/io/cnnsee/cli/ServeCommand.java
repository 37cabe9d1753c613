package io.cnnsee.cli;

import io.cnnsee.InspectableModel;
import io.cnnsee.dl4j.ConvolutionAlgorithm;
import io.cnnsee.serve.ExplorerServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code cnnsee serve}: the explorer, a page in the browser over every channel of every layer. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Starts the explorer: open the address it prints, drop a picture on the page, and browse every "
                + "channel of every layer, sorted by any ranker, in any colormap, with Grad-CAM for any class.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped", "1:the model could not be loaded or the port could not be opened", "2:usage error"})
final class ServeCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--port", paramLabel = "N", defaultValue = "8080",
            description = "The port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "The address to listen on (default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0 opens it to the "
                    + "network, which the command warns about).")
    String host;

    @Option(names = "--keep", paramLabel = "N", defaultValue = "8",
            description = "Pictures kept for their pages, the least recently used dropped first; bounds the memory "
                    + "(VGG16: about 60 MB each) (default: ${DEFAULT-VALUE}).")
    int keep;

    @Option(names = "--max-upload-mb", paramLabel = "MB", defaultValue = "32",
            description = "Largest picture accepted, in megabytes (default: ${DEFAULT-VALUE}).")
    int maxUploadMb;

    @Option(names = "--max-megapixels", paramLabel = "N", defaultValue = "50",
            description = "Largest picture accepted, in millions of pixels, read from its header before decoding "
                    + "(default: ${DEFAULT-VALUE}).")
    int maxMegapixels;

    @Option(names = "--upload-budget-mb", paramLabel = "MB",
            description = "Megabytes all uploads in flight may hold together; more are refused with 503 and Retry-After "
                    + "(default: 8 times --max-upload-mb).")
    Integer uploadBudgetMb;

    @Option(names = "--allow-host", paramLabel = "NAME", split = ",",
            description = "Other host names the server answers to (a proxy's, an alias); requests naming any other host "
                    + "are refused, against DNS rebinding (docs/explorer.md).")
    List<String> allowedHosts = List.of();

    @CommandLine.Mixin
    ModelOptions models = new ModelOptions();

    /** The running server, once started: tests stop it through this. */
    volatile ExplorerServer started;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        if (port < 0 || port > 65535) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--port must be 0 to 65535, was " + port);
        }
        if (maxUploadMb * 1_000_000L > ExplorerServer.Builder.MAX_UPLOAD_BYTES) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max-upload-mb must be at most "
                    + ExplorerServer.Builder.MAX_UPLOAD_BYTES / 1_000_000 + ", was " + maxUploadMb);
        }
        if (keep < 1 || maxUploadMb < 1 || maxMegapixels < 1 || uploadBudgetMb != null && uploadBudgetMb < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--keep, --max-upload-mb, --max-megapixels and --upload-budget-mb must be at least 1");
        }
        ModelChoice choice = models.choice(spec.commandLine());
        InspectableModel model;
        try {
            err.println("Loading " + choice.describe() + " ...");
            err.flush();
            model = choice.load(models.includeTop, ConvolutionAlgorithm.DIRECT, err);
        } catch (RuntimeException e) {
            err.println("cnnsee: " + e.getMessage());
            return 1;
        }
        try (model) {
            ExplorerServer server;
            try {
                ExplorerServer.Builder builder = ExplorerServer.builder(model).host(host).port(port).keep(keep)
                        .maxUploadBytes(maxUploadMb * 1_000_000L)
                        .loader(io.cnnsee.ImageLoader.withMaxPixels(maxMegapixels * 1_000_000L));
                if (uploadBudgetMb != null) {
                    builder.uploadBudgetBytes(uploadBudgetMb * 1_000_000L);
                }
                allowedHosts.forEach(builder::allowHost);
                server = builder.start();
            } catch (IOException e) {
                err.println("cnnsee: cannot listen on " + host + ":" + port + " (" + e.getMessage() + "): is another "
                        + "program using it? Choose another port with --port");
                return 1;
            } catch (Exception e) {
                err.println("cnnsee: the explorer did not start: " + e);
                return 1;
            }
            started = server;
            if (model.capability(io.cnnsee.ClassGradients.class).isEmpty()) {
                err.println("The model does not classify here, so the page has no predictions or Grad-CAM"
                        + (choice.alwaysClassifies() ? "" : " (VGG16: add --include-top)") + ".");
            }
            if (!ExplorerServer.isLoopback(host)) {
                err.println("Warning: listening on " + host + ", not only on this machine: anyone who can reach port "
                        + server.port() + " can upload pictures.");
            }
            out.println("Explorer of " + model.name() + " at " + server.uri() + " (Ctrl+C stops it)");
            out.flush();
            err.flush();
            Thread stop = new Thread(server::close, "cnnsee-serve-stop");
            Runtime.getRuntime().addShutdownHook(stop);
            try {
                server.join();
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(stop);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is what stopped it
                }
            }
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }
}
