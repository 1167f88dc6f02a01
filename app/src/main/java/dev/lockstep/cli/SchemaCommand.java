package dev.lockstep.cli;

import dev.lockstep.engine.PlanSchema;
import dev.lockstep.runbook.RunbookSchema;
import dev.lockstep.runbook.StepTypesDoc;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.Json;
import dev.lockstep.spi.LockstepException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

final class SchemaCommand implements Callable<Integer> {
    private final Cli cli;
    final CommandSpec spec = CommandModel.command(this, "schema",
            "Print the JSON Schema of the runbook format, for editors (yaml-language-server); with --plan, of the plan document.");

    boolean plan;
    boolean markdown;

    SchemaCommand(Cli cli) {
        HelpSections.examples(spec, "lockstep schema", "lockstep schema --plan");
        this.cli = cli;
        CommandModel.option(spec, "--plan").description("Print the JSON Schema of the plan document instead "
                + "(lockstep plan --output json, and the plan a saved plan holds), for policy tools.")
                .bind(boolean.class, () -> plan, v -> plan = v);
        CommandModel.option(spec, "--markdown").description("Print the step types and contexts as Markdown instead "
                + "(docs/step-types.md is this text).")
                .bind(boolean.class, () -> markdown, v -> markdown = v);
    }

    @Override
    public Integer call() {
        if (plan && markdown) throw new LockstepException(ErrorCode.USAGE, "--plan and --markdown print different documents: give one");
        if (markdown) {
            cli.out.print(StepTypesDoc.markdown(cli.types().all().values(), cli.contexts().all().values()));
        } else {
            cli.out.println(plan ? PlanSchema.text().strip() : Json.pretty(RunbookSchema.of(cli.types(), cli.contexts())));
        }
        return 0;
    }
}
