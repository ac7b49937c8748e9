package org.meftspark.meft;

import org.bytedeco.pytorch.Tensor;

/**
 * Each token's chosen neurons, the result of retrieval (meft-method.md sections 1, 2). n = tokens, k = top_k.
 *
 * @param neurons   [n, k] int64 row ids into the layer's store, distinct within a row
 * @param scores    [n, k] the (scaled) scores they were chosen by, descending within a row
 * @param probeSlot [n, k] int64, for Key-Experts routing: which of the token's P probed experts holds
 *                  the neuron (so the device can apply that expert's router score); null for exact top-k
 */
public record TokenSelection(Tensor neurons, Tensor scores, Tensor probeSlot) {
}
