package dev.lockstep.cli;

import picocli.CommandLine.Model.CommandSpec;

/** {@code --output json}: one JSON document on standard output, in the shape docs/operator-guide.md pins (Machine output), for scripts and CI. */
final class OutputOptions {
    enum Format { TEXT, JSON }

    Format format = Format.TEXT;

    OutputOptions(CommandSpec command) {
        CommandModel.option(command, "--output").label("FORMAT")
                .description("text (the default) or json: one JSON document on standard output, in a documented shape.")
                .bind(Format.class, () -> format, v -> format = v);
    }

    boolean json() {
        return format == Format.JSON;
    }
}
