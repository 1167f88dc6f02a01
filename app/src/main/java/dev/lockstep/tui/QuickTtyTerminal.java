package dev.lockstep.tui;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.terminal.ansi.UnixLikeTTYTerminal;
import java.io.BufferedOutputStream;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * Lanterna's Unix terminal, taken over with one process instead of five. Lanterna saves the
 * tty's settings and then switches off canonical input, echo and Ctrl-C's signal with a stty
 * process each; a process started from a JVM costs milliseconds, all before the first frame.
 * Here the first call does all of it and reads the terminal's size, and the calls that follow
 * while the terminal is being acquired find nothing left to do. Later calls (restoring on exit)
 * are Lanterna's own.
 *
 * <p>Its output is buffered: a frame goes out in one write when Lanterna flushes (after each
 * refresh, on entering and leaving the full screen), where System.out wrote each character and
 * escape sequence on its own, a thousand writes for the first frame. That is safe because the
 * size always comes from stty: Lanterna's own way writes a cursor-position request and waits
 * for the answer without flushing (and costs a round trip to the terminal, over ssh a network one).
 */
final class QuickTtyTerminal extends UnixLikeTTYTerminal {
    static final File TTY = new File("/dev/tty");
    private static final String STTY = "/bin/stty";
    private static final String RAW = "lockstep-raw-input";
    /** What a tty that does not know its size gets, as Lanterna gives it. */
    private static final TerminalSize FALLBACK_SIZE = new TerminalSize(80, 24);

    /** False while Lanterna's constructor acquires the terminal: it runs before this class's own. */
    private boolean acquired;
    /** Assigned during acquisition, so it has no initializer that would run afterwards and clear it. */
    private String settingsToRestore;
    /** Likewise: the size stty read, until the terminal is resized (a signal handler's thread clears it). */
    private volatile TerminalSize size;
    /** The last size stty gave, kept when it cannot say after a resize. */
    private volatile TerminalSize lastSize;

    private QuickTtyTerminal(InputStream in, OutputStream out, Charset charset) throws IOException {
        super(TTY, in, out, charset, CtrlCBehaviour.TRAP);
        acquired = true;
    }

    /** The terminal of this process's standard input and output. */
    static QuickTtyTerminal standard() throws IOException {
        return new QuickTtyTerminal(System.in, new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
                StandardCharsets.UTF_8);
    }

    /** Whether this terminal can be used here: a Unix tty and its stty. */
    static boolean available() {
        return TTY.exists() && new File(STTY).canExecute();
    }

    @Override
    protected void saveTerminalSettings() throws IOException {
        // Lanterna joins the lines a command prints: the marker after the settings says the switch worked too,
        // and the size follows it ("rows columns").
        String out = exec("/bin/sh", "-c", STTY + " -g && " + STTY + " -icanon min 1 -echo intr undef && echo " + RAW
                + " && " + STTY + " size").trim();
        int marker = out.indexOf(RAW);
        String saved = marker >= 0 ? out.substring(0, marker) : out;
        // Kept even when the switch failed part way: what was changed is still put back on exit.
        if (!saved.isEmpty()) settingsToRestore = saved;
        if (marker < 0 || saved.isEmpty()) throw new IOException("could not switch the terminal to raw input with " + STTY);
        size = size(out.substring(marker + RAW.length()).trim());
    }

    /** "rows columns" as stty prints it; null when it is not that (a tty without a size says "0 0"). */
    static TerminalSize size(String rowsColumns) {
        String[] parts = rowsColumns.split(" ");
        if (parts.length != 2 || !parts[0].matches("[1-9][0-9]{0,4}") || !parts[1].matches("[1-9][0-9]{0,4}")) return null;
        return new TerminalSize(Integer.parseInt(parts[1]), Integer.parseInt(parts[0]));
    }

    @Override
    protected TerminalSize findTerminalSize() throws IOException {
        TerminalSize known = size;
        if (known == null) {
            known = size(exec(STTY, "size").trim());
            size = known;
        }
        if (known != null) lastSize = known;
        return lastSize != null ? lastSize : FALLBACK_SIZE;
    }

    @Override
    protected void registerTerminalResizeListener(Runnable onResize) throws IOException {
        super.registerTerminalResizeListener(() -> {
            size = null;
            onResize.run();
        });
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
