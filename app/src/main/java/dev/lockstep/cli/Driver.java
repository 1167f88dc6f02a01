package dev.lockstep.cli;

import dev.lockstep.engine.Engine;
import dev.lockstep.engine.Outcome;
import dev.lockstep.engine.Run;
import dev.lockstep.engine.StepState;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import dev.lockstep.spi.MachineText;
import dev.lockstep.store.TakenOver;
import java.util.Optional;
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
        } catch (LockstepException e) {
            // Refused because another process took the run: said below, as the run now stands.
            if (run.takenOver().isEmpty()) throw e;
            outcome = null;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The JVM is exiting (Ctrl-C): the hook is already running and waits for us.
            }
            run.close();
        }
        Optional<TakenOver> lost = run.takenOver();
        if (lost.isPresent()) {
            String farewell = run.redactor().redact(run.takenOverFarewell(lost.get()));
            ErrorHandler.print(cli.err, ErrorCode.LOCK_HELD, cli.hint(MachineText.field(farewell)));
            return ErrorCode.LOCK_HELD.exitCode();
        }
        if (outcome.ok()) {
            cli.out.println(MachineText.field(outcome.message()));
            return 0;
        }
        ErrorHandler.print(cli.err, outcome.code(), cli.hint(MachineText.field(run.redactor().redact(outcome.message()))));
        if (outcome.code() == ErrorCode.HALTED) {
            run.snapshot().steps().values().stream().filter(r -> r.state() == StepState.HALTED).findFirst().ifPresent(r ->
                    cli.err.println(cli.hint("ways on: lockstep resume " + run.id() + " --retry " + r.id()
                            + "  |  lockstep resume " + run.id() + " --override " + r.id() + "=" + r.id()
                            + "  |  lockstep rollback " + run.id())));
        }
        cli.err.println(cli.hint("run id: " + run.id() + "  (lockstep show " + run.id() + ")"));
        return outcome.code().exitCode();
    }
}
