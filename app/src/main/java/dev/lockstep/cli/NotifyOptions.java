package dev.lockstep.cli;

import dev.lockstep.engine.Run;
import dev.lockstep.engine.RunListener;
import dev.lockstep.notify.Notification;
import dev.lockstep.notify.Notifier;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;

/** {@code --notify}: where a run's halts, gates and ending are POSTed (see {@link Notifier}). */
final class NotifyOptions {
    private static final String FROM_ENV = "env:";
    private List<String> receivers = new ArrayList<>();
    private Notifier notifier;

    NotifyOptions(CommandSpec command) {
        CommandModel.option(command, "--notify").label("URL")
                .description("POST a JSON notification (with a Slack-compatible text) to this http(s) URL when a step halts, "
                        + "fails or waits for a person, and when the run finishes or is rolled back; repeatable. "
                        + "env:NAME reads the URL from that environment variable, which keeps a webhook's token out of "
                        + "shell history. Never delays the run; a receiver that fails is said once.")
                .bindList(String.class, () -> receivers, v -> receivers = v);
    }

    /** Sends to {@code url} as well (the demo's own receiver). */
    void add(String url) {
        receivers.add(url);
    }

    /** {@code shown}, wrapped so that its run's events are also sent, when any URL was given. */
    RunListener around(Cli cli, RunListener shown) {
        if (receivers.isEmpty()) return shown;
        List<URI> urls = new ArrayList<>();
        for (String given : receivers) urls.add(url(cli, given));
        notifier = new Notifier(shown, urls);
        return notifier;
    }

    /** The run the notifications are about, once it is open. */
    void about(Run run) {
        if (notifier == null) return;
        var start = run.snapshot().start();
        notifier.about(new Notification.About(run.id(), run.runbook().name(), start.title(), start.host()));
    }

    /** Waits a bounded time for notifications on their way; notes from then on go to standard error. */
    void close(Cli cli) {
        if (notifier != null) notifier.close(Notifier.DRAIN, note -> cli.err.println("lockstep: " + note));
    }

    private static URI url(Cli cli, String given) {
        String text = given;
        if (given.startsWith(FROM_ENV)) {
            String name = given.substring(FROM_ENV.length());
            text = cli.env.get(name);
            if (text == null || text.isBlank()) {
                throw new LockstepException(ErrorCode.USAGE, "--notify " + given + ": the environment variable " + name + " is not set");
            }
        }
        try {
            URI uri = new URI(text.strip());
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new LockstepException(ErrorCode.USAGE, "--notify expects an http or https URL (or env:NAME), not "
                        + (given.startsWith(FROM_ENV) ? "the value of " + given : "'" + given + "'"));
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new LockstepException(ErrorCode.USAGE, "--notify expects an http or https URL (or env:NAME): "
                    + (given.startsWith(FROM_ENV) ? "the value of " + given + " is not one" : e.getMessage()));
        }
    }
}
