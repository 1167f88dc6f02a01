package dev.lockstep.cli;

import dev.lockstep.engine.Engine;
import dev.lockstep.engine.Operator;
import dev.lockstep.engine.Outcome;
import dev.lockstep.engine.Planner;
import dev.lockstep.engine.RunListener;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import dev.lockstep.tui.TuiApp;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.Function;

/**
 * How a run is shown and who answers for the operator: the full-screen UI when a
 * terminal is attached, else timestamped plain lines with answers from flags.
 */
final class Frontend {
    private final Cli cli;
    private final TuiApp tui;
    private final RunListener listener;
    private final Operator operator;
    private final CiOptions ci;
    private final NotifyOptions notify;

    private Frontend(Cli cli, TuiApp tui, RunListener shown, Operator operator, CiOptions ci, NotifyOptions notify) {
        this.cli = cli;
        this.tui = tui;
        this.listener = notify.around(cli, shown);
        this.operator = operator;
        this.ci = ci;
        this.notify = notify;
    }

    static Frontend choose(Cli cli, OperatorOptions options, Set<String> skipInDoubt, CiOptions ci, NotifyOptions notify) {
        if (options.interactive(cli)) {
            TuiApp app = new TuiApp(TuiApp::openTerminal, options.flags(skipInDoubt), cli.env);
            return new Frontend(cli, app, app, app.operator(), ci, notify);
        }
        return plain(cli, options.flags(skipInDoubt), ci, notify);
    }

    static Frontend plain(Cli cli, Operator operator, CiOptions ci, NotifyOptions notify) {
        return new Frontend(cli, null, new PlainPrinter(cli), operator, ci, notify);
    }

    boolean isTui() {
        return tui != null;
    }

    RunListener listener() {
        return listener;
    }

    Operator operator() {
        return operator;
    }

    /**
     * Plain: runs {@code action} to its outcome. Full screen: hands the run to the operator's keys.
     * Either way, what CI reads (--junit, GitHub's summary) is written when it ends, and notifications on
     * their way are given a bounded time to arrive.
     */
    int drive(Engine engine, Function<Engine, Outcome> action) {
        notify.about(engine.run());
        try {
            int code = tui == null ? Driver.drive(cli, engine, action) : full(engine);
            ci.report(cli, engine.run());
            return code;
        } finally {
            notify.close(cli);
        }
    }

    private int full(Engine engine) {
        try {
            int code = tui.drive(engine, new Planner(cli.types()));
            cli.out.println(cli.hint(tui.farewell()));
            if (tui.bug() != null) {
                Path report = ErrorHandler.crashReport(tui.bug(), engine.run().redactor(), cli.env);
                cli.err.println("lockstep: a bug in lockstep stopped an action" + (report != null ? "; what went wrong, for a bug report: "
                        + report : "") + " (INTERNAL)");
            }
            return code;
        } catch (IOException e) {
            // The screen opens once the run is recorded: the operator needs its id to go on without one.
            String id = engine.run().id();
            throw new LockstepException(ErrorCode.IO, "terminal error: " + e.getMessage() + "; run " + id
                    + " is recorded and can be continued: lockstep resume " + id + " (--no-tui for plain lines)");
        } finally {
            engine.run().close();
        }
    }
}
