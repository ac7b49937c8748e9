package org.meftspark.cli;

import static org.bytedeco.pytorch.global.torch.from_blob;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.meftspark.model.Decoder;
import org.meftspark.npy.NpyWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code meft logits}: the last layer's logits for every position, as a numpy-readable .npy file. */
@Command(name = "logits", mixinStandardHelpOptions = true,
        description = "Runs one forward pass over --tokens and writes the logits of every position as a float32 "
                + ".npy array of shape [positions, vocab] (numpy.load reads it): for comparing with other "
                + "implementations.")
final class LogitsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--tokens", required = true, split = ",", paramLabel = "ID,ID,...",
            description = "Input token ids, comma separated.")
    long[] tokens;

    @Option(names = "--out", required = true, paramLabel = "FILE.npy", description = "Output .npy file.")
    Path out;

    @Override
    public Integer call() throws Exception {
        Decoder decoder = modelOptions.load();
        int vocab = decoder.config().vocabSize();
        for (long t : tokens) {
            if (t < 0 || t >= vocab) {
                throw new IllegalArgumentException("token id " + t + " is outside the vocabulary [0, " + vocab + ")");
            }
        }
        float[] data = new float[Math.multiplyExact(tokens.length, vocab)];
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            Tensor ids = from_blob(new LongPointer(tokens), new long[] {1, tokens.length},
                    new TensorOptions(ScalarType.Long)).clone();                   // [1, T]
            Tensor logits = decoder.forward(ids.to(decoder.weights().embed.device(), ScalarType.Long)) // [1, T, V]
                    .to(ScalarType.Float).cpu().contiguous();
            new FloatPointer(logits.data_ptr()).capacity(data.length).get(data);
        }
        NpyWriter.writeFloat32(out, new long[] {tokens.length, vocab}, data);
        spec.commandLine().getOut().printf("wrote %s: float32 [%d, %d] for tokens %s%n", out, tokens.length, vocab,
                Arrays.toString(tokens));
        return 0;
    }
}
