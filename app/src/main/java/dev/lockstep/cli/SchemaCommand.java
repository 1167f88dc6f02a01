package dev.lockstep.cli;

import dev.lockstep.engine.PlanSchema;
import dev.lockstep.json.Json;
import dev.lockstep.runbook.RunbookSchema;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

final class SchemaCommand implements Callable<Integer> {
    private final Cli cli;
    final CommandSpec spec = CommandModel.command(this, "schema",
            "Print the JSON Schema of the runbook format, for editors (yaml-language-server); with --plan, of the plan document.");

    boolean plan;

    SchemaCommand(Cli cli) {
        HelpSections.examples(spec, "lockstep schema", "lockstep schema --plan");
        this.cli = cli;
        CommandModel.option(spec, "--plan").description("Print the JSON Schema of the plan document instead "
                + "(lockstep plan --output json, and the plan a saved plan holds), for policy tools.")
                .bind(boolean.class, () -> plan, v -> plan = v);
    }

    @Override
    public Integer call() {
        cli.out.println(plan ? PlanSchema.text().strip() : Json.pretty(RunbookSchema.of(cli.types(), cli.contexts())));
        return 0;
    }
}
