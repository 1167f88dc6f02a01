package dev.lockstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The guard under GitHub Actions' stdout and stderr, on the writes a real PrintStream makes. */
class CommandGuardTest {
    @Test
    void aCommandSplitAcrossWritesOrLinesIsInertAndOnlyGivenCommandsPass() {
        ByteArrayOutputStream runner = new ByteArrayOutputStream();
        CommandGuard guard = CommandGuard.around(new PrintStream(runner, true, StandardCharsets.UTF_8));
        PrintStream out = guard.stream();
        out.print("  ::err");
        out.print("or::split\n\u00a0::warning::nbsp\rcr ::notice::x\nsee ##[error]legacy\nunfinished ::");
        guard.command("::group::step a");
        out.print("::add-mask::after");
        guard.finish();
        assertEquals("  \\::error::split\n\u00a0\\::warning::nbsp\\rcr ::notice::x\nsee ##\\[error]legacy\nunfinished ::\n"
                + "::group::step a\n\\::add-mask::after\n", runner.toString(StandardCharsets.UTF_8));
    }
}
