package dev.lockstep.cli;

import dev.lockstep.spi.MachineText;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Standard output or error under GitHub Actions: every line lockstep prints is made inert before the runner
 * reads it ({@link MachineText#inertForGithub}), whoever printed it and whatever it holds; only
 * {@link #command} writes a workflow command. A partial line waits for its end, so that a command split
 * across two writes cannot slip through.
 */
final class CommandGuard extends OutputStream {
    private final PrintStream target;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    private CommandGuard(PrintStream target) {
        this.target = target;
    }

    /** Standard output or error, guarded. */
    static CommandGuard around(PrintStream target) {
        return new CommandGuard(target);
    }

    /** The stream lockstep prints to, through this guard. */
    PrintStream stream() {
        return new PrintStream(this, true, StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') endLine();
        else line.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        int start = off;
        for (int i = off; i < off + len; i++) {
            if (b[i] == '\n') {
                line.write(b, start, i - start);
                endLine();
                start = i + 1;
            }
        }
        line.write(b, start, off + len - start);
    }

    /** A workflow command of lockstep's own, on a line of its own. */
    synchronized void command(String command) {
        if (line.size() > 0) endLine();
        target.println(command);
        target.flush();
    }

    @Override
    public synchronized void flush() {
        target.flush();
    }

    /** Writes what is left of an unfinished line, when the command ends. */
    synchronized void finish() {
        if (line.size() > 0) endLine();
        target.flush();
    }

    private void endLine() {
        target.println(MachineText.inertForGithub(line.toString(StandardCharsets.UTF_8)));
        line.reset();
    }
}
