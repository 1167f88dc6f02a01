package dev.lockstep.steps.aws;

import dev.lockstep.spi.Key;
import dev.lockstep.spi.ResultShape;
import dev.lockstep.spi.StepContext;
import dev.lockstep.spi.StepResult;
import dev.lockstep.spi.StepType;
import dev.lockstep.spi.Value;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.Image;
import software.amazon.awssdk.services.ecr.model.ImageAlreadyExistsException;

/**
 * {@code ecr.retag}: puts the same image manifest under another tag, as the seed's
 * migration gate does with {@code stage-migrated-*} once the migration succeeded.
 * Tagging again with the same manifest is harmless.
 *
 * <pre>
 * - id: mark-migrated
 *   uses: ecr.retag
 *   with: { repository: relay, from: "${{ params.sha }}", to: "stage-migrated-${{ params.sha }}" }
 * </pre>
 */
public final class EcrRetagStep implements StepType<EcrRetagStep.Config> {
    public record Config(
            @Key(value = "the ECR repository", required = true) String repository,
            @Key(value = "the tag (or sha256:digest) of the image", required = true) String from,
            @Key(value = "the new tag", required = true) String to) {}

    @Override
    public String name() {
        return "ecr.retag";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public String summary() {
        return "put the same image manifest under another tag";
    }

    @Override
    public String example() {
        return """
                - id: mark-migrated
                  uses: ecr.retag
                  with: { repository: relay, from: "${{ params.sha }}", to: "stage-migrated-${{ params.sha }}" }
                """;
    }

    @Override
    public ResultShape result(Value.Mapping with) {
        return ResultShape.object("digest", ResultShape.VALUE, "tag", ResultShape.VALUE);
    }

    @Override
    public List<String> plan(Config c) {
        return List.of("tag " + c.repository() + ":" + c.from() + " also as " + c.to());
    }

    @Override
    public StepResult execute(Config c, StepContext ctx) {
        try {
            EcrClient ecr = AwsSession.of(ctx.settings()).ecr();
            List<Image> images = ecr.batchGetImage(b -> b.repositoryName(c.repository()).imageIds(EcrImageStep.imageId(c.from()))).images();
            if (images.isEmpty()) return StepResult.failed("no image " + c.repository() + ":" + c.from(), Map.of());
            Image image = images.get(0);
            String digest;
            try {
                digest = ecr.putImage(b -> b.repositoryName(c.repository()).imageManifest(image.imageManifest())
                        .imageManifestMediaType(image.imageManifestMediaType()).imageTag(c.to())).image().imageId().imageDigest();
            } catch (ImageAlreadyExistsException e) {
                digest = image.imageId().imageDigest();
                ctx.line(c.repository() + ":" + c.to() + " already points at this image");
            }
            ctx.line("tagged " + c.repository() + ":" + c.from() + " as " + c.to() + " (" + digest + ")");
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("digest", digest);
            data.put("tag", c.to());
            return StepResult.ok("tagged " + c.to(), data);
        } catch (SdkException e) {
            return AwsErrors.failed(e);
        }
    }
}
