package dev.lockstep.cli;

import java.io.Console;
import java.lang.reflect.Method;
import java.util.Map;

/**
 * Whether a person sits at a real terminal: only then does lockstep open the full-screen UI
 * or ask questions. A console object alone is not enough: since Java 22 one exists even when
 * output is redirected, and CI runners and {@code TERM=dumb} terminals cannot show a screen.
 */
final class Terminal {
    private Terminal() {}

    /** Why this process must use plain lines, or null when a real terminal is attached. */
    static String plainReason(Map<String, String> env, boolean consoleIsTerminal) {
        if (!consoleIsTerminal) return "input or output is not a terminal";
        String term = env.get("TERM");
        if (term == null || term.isBlank() || term.equals("dumb")) return "TERM is " + (term == null ? "not set" : "'" + term + "'");
        String ci = env.get("CI");
        if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false") && !ci.equals("0")) return "CI is set";
        return null;
    }

    static boolean interactive(Map<String, String> env) {
        return plainReason(env, consoleIsTerminal()) == null;
    }

    /** Standard input and output are both a terminal. */
    static boolean consoleIsTerminal() {
        Console console = System.console();
        if (console == null) return false;
        try {
            // Java 22+: a console may stand for redirected streams; isTerminal says which.
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (NoSuchMethodException e) {
            return true;
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }
}
