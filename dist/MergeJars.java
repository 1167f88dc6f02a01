import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;

/**
 * Puts lockstep's libraries into one jar for the archive, and points lockstep.jar's manifest at it.
 *
 * <p>Why: whenever the JDK looks for something on the class path that no jar has (the logging backend the
 * first process start asks for, a missing resource), it opens every jar on it; with ~100 jars that is tens of
 * milliseconds of every start. One jar holds the same entries, read in class-path order, so the first jar
 * that has an entry still wins. What the libraries find through files in their jars is kept whole:
 * META-INF/services lists (the SDK's HTTP clients, the JDBC drivers, Flyway's database support, Jackson's
 * modules, fabric8's HTTP client) and Netty's version file are joined; each library's licence and notice go
 * under META-INF/licenses/JAR/. Dropped: manifests, module-info (ignored on the class path), signatures,
 * INDEX.LIST and Quarkus's jandex.idx (both describe the jar they came from).
 *
 * <pre>java dist/MergeJars.java APP_JAR OUT_DIR LIBRARY_JAR_NAME [REPLACEMENT_JAR...]</pre>
 * reads APP_JAR's Class-Path (relative to APP_JAR's folder), writes OUT_DIR/lib/LIBRARY_JAR_NAME and
 * OUT_DIR/APP_JAR's name (the same jar, its Class-Path now that one jar). A REPLACEMENT_JAR is used instead of
 * the class-path jar with the same file name.
 */
public final class MergeJars {
    private static final Pattern DROPPED = Pattern.compile(
            "META-INF/MANIFEST\\.MF|(META-INF/versions/\\d+/)?module-info\\.class|META-INF/[^/]+\\.(SF|RSA|DSA|EC)"
                    + "|META-INF/INDEX\\.LIST|META-INF/jandex\\.idx");
    private static final Pattern JOINED = Pattern.compile("META-INF/services/[^/]+|META-INF/io\\.netty\\.versions\\.properties");
    private static final Pattern LICENCE = Pattern.compile("META-INF/((LICEN[CS]E|NOTICE|DEPENDENCIES)[^/]*|[^/]+-LICEN[CS]E[^/]*)");

    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: java dist/MergeJars.java APP_JAR OUT_DIR LIBRARY_JAR_NAME [REPLACEMENT_JAR...]");
            System.exit(2);
        }
        Path app = Path.of(args[0]);
        Path out = Path.of(args[1]);
        String libraryName = args[2];
        Map<String, Path> replacements = new LinkedHashMap<>();
        for (int i = 3; i < args.length; i++) replacements.put(Path.of(args[i]).getFileName().toString(), Path.of(args[i]));

        Manifest manifest;
        try (JarFile jar = new JarFile(app.toFile())) {
            manifest = jar.getManifest();
        }
        String classPath = manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
        if (classPath == null || classPath.isBlank()) throw new IOException(app + " names no Class-Path in its manifest");
        List<Path> libraries = new ArrayList<>();
        for (String entry : classPath.trim().split(" +")) {
            Path library = app.toAbsolutePath().getParent().resolve(entry);
            libraries.add(replacements.getOrDefault(library.getFileName().toString(), library));
        }

        Path merged = Files.createDirectories(out.resolve("lib")).resolve(libraryName);
        int entries = write(libraries, merged);
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, "lib/" + libraryName);
        rewrite(app, manifest, out.resolve(app.getFileName().toString()));
        System.err.println("MergeJars: " + libraries.size() + " jars, " + entries + " entries -> lib/" + libraryName);
    }

    private static int write(List<Path> libraries, Path merged) throws IOException {
        Set<String> written = new LinkedHashSet<>();
        Map<String, ByteArrayOutputStream> joined = new LinkedHashMap<>();
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(new Attributes.Name("Multi-Release"), "true");
        try (JarOutputStream target = new JarOutputStream(Files.newOutputStream(merged), manifest)) {
            written.add(JarFile.MANIFEST_NAME);
            written.add("META-INF/");
            for (Path library : libraries) {
                try (JarFile jar = new JarFile(library.toFile())) {
                    boolean multiRelease = jar.getManifest() != null
                            && "true".equalsIgnoreCase(jar.getManifest().getMainAttributes().getValue("Multi-Release"));
                    for (JarEntry entry : Collections.list(jar.entries())) {
                        String name = entry.getName();
                        if (DROPPED.matcher(name).matches()) continue;
                        // A jar that is not multi-release never had its versioned entries read: neither may the merged one.
                        if (!multiRelease && name.startsWith("META-INF/versions/")) continue;
                        if (JOINED.matcher(name).matches()) {
                            ByteArrayOutputStream text = joined.computeIfAbsent(name, n -> new ByteArrayOutputStream());
                            try (InputStream in = jar.getInputStream(entry)) {
                                in.transferTo(text);
                            }
                            text.write('\n');
                            continue;
                        }
                        if (LICENCE.matcher(name).matches()) {
                            name = "META-INF/licenses/" + library.getFileName() + "/" + name.substring("META-INF/".length());
                        }
                        if (!written.add(name)) continue;
                        ZipEntry copy = new ZipEntry(name);
                        copy.setTime(entry.getTime());
                        target.putNextEntry(copy);
                        if (!entry.isDirectory()) {
                            try (InputStream in = jar.getInputStream(entry)) {
                                in.transferTo(target);
                            }
                        }
                        target.closeEntry();
                    }
                }
            }
            for (Map.Entry<String, ByteArrayOutputStream> text : joined.entrySet()) {
                target.putNextEntry(new ZipEntry(text.getKey()));
                text.getValue().writeTo(target);
                target.closeEntry();
                written.add(text.getKey());
            }
        }
        return written.size();
    }

    /** A copy of {@code app} with {@code manifest} in place of its own. */
    private static void rewrite(Path app, Manifest manifest, Path rewritten) throws IOException {
        Path temporary = Files.createTempFile(rewritten.toAbsolutePath().getParent(), "app", ".jar");
        try (JarFile jar = new JarFile(app.toFile());
             OutputStream file = Files.newOutputStream(temporary);
             JarOutputStream target = new JarOutputStream(file, manifest)) {
            for (JarEntry entry : Collections.list(jar.entries())) {
                if (entry.getName().equals(JarFile.MANIFEST_NAME) || entry.getName().equals("META-INF/")) continue;
                ZipEntry copy = new ZipEntry(entry.getName());
                copy.setTime(entry.getTime());
                target.putNextEntry(copy);
                try (InputStream in = jar.getInputStream(entry)) {
                    in.transferTo(target);
                }
                target.closeEntry();
            }
        }
        Files.setPosixFilePermissions(temporary, Files.getPosixFilePermissions(app));
        Files.move(temporary, rewritten, StandardCopyOption.REPLACE_EXISTING);
    }
}
