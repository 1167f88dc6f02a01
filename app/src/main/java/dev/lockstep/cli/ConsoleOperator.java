package dev.lockstep.cli;

import dev.lockstep.engine.Operator;
import dev.lockstep.journal.Identity;
import dev.lockstep.runbook.StepDef;
import java.io.Console;
import java.io.PrintStream;

/** Asks on the terminal, line by line, where flags gave no answer. */
final class ConsoleOperator implements Operator {
    private final FlagOperator flags;
    private final PrintStream out;
    private final Console console = System.console();

    ConsoleOperator(FlagOperator flags, PrintStream out) {
        this.flags = flags;
        this.out = out;
    }

    @Override
    public String name() {
        return Identity.operator();
    }

    @Override
    public boolean confirm(String question) {
        return flags.confirm(question) || yes(question + " [y/N] ");
    }

    @Override
    public String typed(StepDef step, String prompt, String expected) {
        if (flags.hasTyped(step.id())) return flags.typed(step, prompt, expected);
        out.flush();
        String line = console.readLine("%s: ", prompt);
        return line == null || line.isEmpty() ? null : line;
    }

    @Override
    public boolean manual(StepDef step, String instructions) {
        if (flags.manual(step, instructions)) return true;
        out.println();
        out.println("MANUAL STEP " + step.id() + ": " + instructions);
        return yes("Done? [y/N] ");
    }

    @Override
    public InDoubtChoice inDoubt(StepDef step, String detail) {
        InDoubtChoice given = flags.inDoubt(step, detail);
        if (given != null) return given;
        out.println();
        out.println("Step " + step.id() + " is in doubt: " + detail + ".");
        String line = console.readLine("Did it take effect? [r]un it again, [m]ark it done, [s]kip it, or Enter to stop: ");
        if (line == null) return null;
        return switch (line.trim().toLowerCase()) {
            case "r" -> InDoubtChoice.RERUN;
            case "m" -> InDoubtChoice.MARK_DONE;
            case "s" -> InDoubtChoice.SKIP;
            default -> null;
        };
    }

    private boolean yes(String question) {
        out.flush();
        String line = console.readLine("%s", question);
        return line != null && line.trim().equalsIgnoreCase("y");
    }
}
