package dev.lockstep.cli;

import dev.lockstep.json.Json;
import dev.lockstep.runbook.RunbookSchema;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

final class SchemaCommand implements Callable<Integer> {
    private final Cli cli;
    final CommandSpec spec = CommandModel.command(this, "schema",
            "Print the JSON Schema of the runbook format, for editors (yaml-language-server).");

    SchemaCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        cli.out.println(Json.pretty(RunbookSchema.of(cli.types(), cli.contexts())));
        return 0;
    }
}
