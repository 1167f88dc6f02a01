package dev.lockstep.cli;

import dev.lockstep.engine.Engine;
import dev.lockstep.engine.Outcome;
import dev.lockstep.engine.Run;
import java.util.function.Function;

/** Drives an engine to an outcome with Ctrl-C wired to a clean, resumable stop, and prints how it ended. */
final class Driver {
    private Driver() {}

    static int drive(Cli cli, Engine engine, Function<Engine, Outcome> what) {
        Run run = engine.run();
        Thread driver = Thread.currentThread();
        Thread hook = new Thread(() -> engine.interrupt(driver), "lockstep-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        Outcome outcome;
        try {
            outcome = what.apply(engine);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The JVM is exiting (Ctrl-C): the hook is already running and waits for us.
            }
            run.close();
        }
        if (outcome.ok()) {
            cli.out.println(outcome.message());
            return 0;
        }
        ErrorHandler.print(cli.err, outcome.code(), cli.hint(run.redactor().redact(outcome.message())));
        cli.err.println(cli.hint("run id: " + run.id() + "  (lockstep show " + run.id() + ")"));
        return outcome.code().exitCode();
    }
}
