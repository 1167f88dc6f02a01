package dev.lockstep.plugin;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The plugins lockstep lists in its own {@code META-INF/services} files: every step type and every
 * kind of place is there. {@link java.util.ServiceLoader} reads the same files but opens each of
 * the ~100 jars on the class path first, to look for more that none of them has: ~50 ms of every
 * start. The first listing on the class path is lockstep's own.
 */
public final class Plugins {
    private Plugins() {}

    public static <S> List<S> listed(Class<S> service) {
        String file = "META-INF/services/" + service.getName();
        ClassLoader loader = service.getClassLoader();
        List<S> found = new ArrayList<>();
        try (InputStream in = loader.getResourceAsStream(file)) {
            if (in == null) throw new IllegalStateException("lockstep's jar has no " + file);
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                int comment = line.indexOf('#');
                String name = (comment >= 0 ? line.substring(0, comment) : line).strip();
                if (!name.isEmpty()) found.add(service.cast(Class.forName(name, true, loader).getDeclaredConstructor().newInstance()));
            }
        } catch (IOException | ReflectiveOperationException e) {
            throw new IllegalStateException("cannot load the plugins " + file + " lists: " + e, e);
        }
        return found;
    }
}
