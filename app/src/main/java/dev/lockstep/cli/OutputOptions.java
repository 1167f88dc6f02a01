package dev.lockstep.cli;

import picocli.CommandLine.Option;

/** {@code --output json}: one JSON document on standard output, in the shape README.md pins, for scripts and CI. */
final class OutputOptions {
    enum Format { TEXT, JSON }

    @Option(names = "--output", paramLabel = "FORMAT",
            description = "text (the default) or json: one JSON document on standard output, in a documented shape.")
    Format format = Format.TEXT;

    boolean json() {
        return format == Format.JSON;
    }
}
