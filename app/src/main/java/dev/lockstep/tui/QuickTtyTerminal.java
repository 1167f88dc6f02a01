package dev.lockstep.tui;

import com.googlecode.lanterna.terminal.ansi.UnixLikeTTYTerminal;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.Charset;

/**
 * Lanterna's Unix terminal, taken over with one process instead of five. Lanterna saves the
 * tty's settings and then switches off canonical input, echo and Ctrl-C's signal with a stty
 * process each; a process started from a JVM costs milliseconds, all before the first frame.
 * Here the first call does all of it, and the calls that follow while the terminal is being
 * acquired find nothing left to do. Later calls (restoring on exit) are Lanterna's own.
 */
final class QuickTtyTerminal extends UnixLikeTTYTerminal {
    static final File TTY = new File("/dev/tty");
    private static final String STTY = "/bin/stty";
    private static final String RAW = "lockstep-raw-input";

    /** False while Lanterna's constructor acquires the terminal: it runs before this class's own. */
    private boolean acquired;
    /** Assigned during acquisition, so it has no initializer that would run afterwards and clear it. */
    private String settingsToRestore;

    QuickTtyTerminal(InputStream in, OutputStream out, Charset charset) throws IOException {
        super(TTY, in, out, charset, CtrlCBehaviour.TRAP);
        acquired = true;
    }

    /** Whether this terminal can be used here: a Unix tty and its stty. */
    static boolean available() {
        return TTY.exists() && new File(STTY).canExecute();
    }

    @Override
    protected void saveTerminalSettings() throws IOException {
        // Lanterna joins the lines a command prints: the marker after the settings says the switch worked too.
        String out = exec("/bin/sh", "-c", STTY + " -g && " + STTY + " -icanon min 1 -echo intr undef && echo " + RAW).trim();
        boolean raw = out.endsWith(RAW);
        String saved = raw ? out.substring(0, out.length() - RAW.length()) : out;
        // Kept even when the switch failed part way: what was changed is still put back on exit.
        if (!saved.isEmpty()) settingsToRestore = saved;
        if (!raw || saved.isEmpty()) throw new IOException("could not switch the terminal to raw input with " + STTY);
    }

    @Override
    protected void restoreTerminalSettings() throws IOException {
        if (settingsToRestore != null) exec(STTY, settingsToRestore);
    }

    @Override
    protected void canonicalMode(boolean enabled) throws IOException {
        if (acquired || enabled) super.canonicalMode(enabled);
    }

    @Override
    protected void keyEchoEnabled(boolean enabled) throws IOException {
        if (acquired || enabled) super.keyEchoEnabled(enabled);
    }

    @Override
    protected void keyStrokeSignalsEnabled(boolean enabled) throws IOException {
        if (acquired || enabled) super.keyStrokeSignalsEnabled(enabled);
    }
}
