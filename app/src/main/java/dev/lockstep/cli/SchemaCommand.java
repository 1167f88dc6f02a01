package dev.lockstep.cli;

import dev.lockstep.json.Json;
import dev.lockstep.runbook.RunbookSchema;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

@Command(name = "schema", description = "Print the JSON Schema of the runbook format, for editors (yaml-language-server).")
final class SchemaCommand implements Callable<Integer> {
    @ParentCommand
    RootCommand root;

    @Override
    public Integer call() {
        root.cli.out.println(Json.pretty(RunbookSchema.of(root.cli.types(), root.cli.contexts())));
        return 0;
    }
}
