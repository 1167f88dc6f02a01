package dev.lockstep.spi;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A kind of place where a runbook may act (an AWS account and region, a Kubernetes
 * cluster and namespace), as a plugin lockstep lists ({@link dev.lockstep.plugin.Plugins}): what a
 * runbook's {@code context.NAME} holds (a record validated when it loads, like a step's
 * {@code with}), the command-line options that choose the place, and the {@link ContextTarget}
 * that describes it, guards it and hands it to shell steps. Adding a kind of place touches
 * its own folder and nothing in the core.
 */
public interface ContextKind<C extends Record> {
    /** The key under {@code context:} and the root of {@code ${{ context.NAME.… }}}. */
    String name();

    /** How help names this kind of place: its options are listed under "TITLE options:". */
    String title();

    Class<C> configType();

    /** A short runbook example of {@code context.NAME}, for {@code lockstep schema} and docs/step-types.md. */
    String example();

    /** Options that choose where to act; their values reach {@link #target} as settings options. */
    List<ContextOption> options();

    /** The settings options a runbook's context pins (an option on the command line wins over them). */
    Map<String, String> defaults(C config);

    /** The names {@code ${{ context.NAME.X }}} may use; checked when the runbook loads. */
    Set<String> values();

    /**
     * Where lockstep acts for a runbook: from its context (null when it declares none) and the
     * settings (command line, environment, the context's defaults). Makes no network call.
     */
    ContextTarget target(C config, Settings settings);

    /** Whether the command line or the environment chose a place of this kind (so a target exists without a context). */
    default boolean chosen(Settings settings) {
        for (ContextOption o : options()) if (settings.option(o.key()) != null) return true;
        return false;
    }
}
