package org.meftspark.train;

import static org.bytedeco.pytorch.global.torch.*;

import java.util.List;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.meftspark.tokenize.TokenizedExample;

/**
 * Right-padded sequences of one micro-batch and their loss mask. b = rows, T = longest row.
 * Position t predicts token t+1; only target tokens (at or after the prompt length) count.
 *
 * @param tokens       [b, T] int64, 0 at padding
 * @param valid        [b, T] bool, false at padding
 * @param targets      [b, T-1] int64, tokens[:, 1:]
 * @param lossMask     [b, T-1] float64, 1 where targets[:, t] is a target token
 * @param targetTokens sum of lossMask
 */
public record MicroBatch(Tensor tokens, Tensor valid, Tensor targets, Tensor lossMask, long targetTokens) {

    /** Target tokens of these rows as a micro-batch (what {@link #of} counts), without building it. */
    public static long targetTokens(List<TokenizedExample> rows) {
        long n = 0;
        for (TokenizedExample r : rows) {
            n += Math.max(0, r.inputIds().length - Math.max(1, r.promptLength()));
        }
        return n;
    }

    public static MicroBatch of(List<TokenizedExample> rows, Device device) {
        int b = rows.size();
        int t = rows.stream().mapToInt(r -> r.inputIds().length).max().orElse(0);
        long[] ids = new long[b * t];
        byte[] valid = new byte[b * t];
        double[] mask = new double[b * (t - 1)];
        long targets = 0;
        for (int i = 0; i < b; i++) {
            int[] row = rows.get(i).inputIds();
            for (int j = 0; j < row.length; j++) {
                ids[i * t + j] = row[j];
                valid[i * t + j] = 1;
            }
            for (int j = Math.max(1, rows.get(i).promptLength()); j < row.length; j++) {
                mask[i * (t - 1) + j - 1] = 1;
                targets++;
            }
        }
        TensorOptions i64 = new TensorOptions(ScalarType.Long);
        Tensor tok = from_blob(new LongPointer(ids), new long[] {b, t}, i64).clone().to(device, ScalarType.Long);
        Tensor val = from_blob(new org.bytedeco.javacpp.BytePointer(valid), new long[] {b, t}, new TensorOptions(ScalarType.Byte))
                .clone().to(device, ScalarType.Bool);
        Tensor m = from_blob(new DoublePointer(mask), new long[] {b, t - 1}, new TensorOptions(ScalarType.Double))
                .clone().to(device, ScalarType.Double);
        return new MicroBatch(tok, val, tok.narrow(1, 1, t - 1), m, targets);
    }

    /**
     * Summed cross-entropy of the target tokens (divide by the step's target count for the mean).
     *
     * @param logits [b, T, V]
     * @return a scalar with gradients, computed in float32 (float64 for float64 logits) whatever the model dtype
     */
    public Tensor lossSum(Tensor logits) {
        long t = logits.size(1);
        ScalarType dt = logits.scalar_type().intern() == ScalarType.Double ? ScalarType.Double : ScalarType.Float;
        Tensor lp = logits.narrow(1, 0, t - 1).to(dt).log_softmax(-1); // [b, T-1, V]
        Tensor picked = lp.gather(2, targets.unsqueeze(2)).squeeze(2); // [b, T-1]
        return picked.mul(lossMask.to(picked.scalar_type().intern())).sum().neg();
    }
}
