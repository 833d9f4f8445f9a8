// Package loss implements segloss's segmentation losses in plain Go: cross-entropy ("ce"), the
// distance-transform loss ("dtl", DistanceTransformLoss), the boundary-F1 loss ("boundary", segloss's
// BoundaryScoreLoss; BoundaryLoss is the README's name for it) and the active-boundary loss
// ("active-boundary", ActiveBoundaryLoss). Each maps logits (N x C x H x W, float32 or float64) and labels
// (N x H x W int32) to a loss value and its gradient with respect to the logits; the training code wraps
// Compute as one graph operation. Run with Input.Maps (or Intermediates) also returns the intermediate maps
// (contours, distance maps, boundaries, directions) for plotting. The specification is docs/LOSSES.md.
//
// Everything is computed in float64 whatever the element type, so float32 and float64 logits of the same values
// give the same result; distances are exact integers. The distance transforms run in linear time: CityBlock
// (two raster sweeps) and EuclideanSq (Felzenszwalb-Huttenlocher lower envelope). The boundary loss's window
// maxima are van Herk / Gil-Werman running maxima and its binary max-pools running counts, O(1) per pixel
// whatever the window. Work runs per image (or per image and class) on all GOMAXPROCS cores; every sum is
// reduced in a fixed order, so results are bit-identical from run to run and whatever GOMAXPROCS is.
//
// # Speed
//
// A Workspace keeps every buffer between calls (Run with the same Workspace allocates almost nothing after the
// first call). The softmax, the cross-entropy term and its gradient are one pass. Default mode's softmax uses
// a polynomial exponential and reciprocals (relative error below 3e-15); compat keeps math.Exp and divisions.
// Compat DTL's [N,N,H,W] penalty is evaluated in an exact factorised form, sum over (a,b) of
// sum_k p_k(b)·m_k(a) = sum_k (sum_b p_k(b))·(sum_a m_k(a)), in O(N) per pixel instead of O(N^2); it holds while
// no probability that meets a non-zero penalty has underflowed to 0, and the entry-by-entry form runs otherwise
// (and for reduction "none", which lists the entries). The boundary loss skips (image, class) pairs without a
// ground-truth boundary (their BF1 is 0 and their gradient 0) and evaluates maxpool_theta(Bp) only on
// ground-truth boundary pixels when they are few; both shortcuts give the full evaluation's bits (Maps turns
// them off, as it wants every map). Binary maps are dilated eight pixels at a time in 64-bit words, or, for a
// thin ground-truth boundary, by stamping each boundary pixel's window. The boundary loss's 3 x 3 max-pool of
// 1 - p runs on floats (1 - p holds no NaN or -0, so float order is the key order of the general window max).
// For that default window its Bg comes from one label-edge map per image (the window's smallest and largest
// counted label) shared by every class. Float32 logits of ce, boundary and active-boundary (without resizing)
// are widened block by block inside the softmax rather than copied to float64 first.
//
// On amd64 CPUs with AVX2 the element-wise loops (float32 widening with the finiteness check, the class maximum,
// the exponential, the reciprocal scaling, the log-softmax, the CE gradient, the softmax backward pass, the 3 x 3
// max-pool with its arguments) run four float64 lanes at a time in assembly (detected at start-up through
// golang.org/x/sys/cpu). The kernels do the Go loops' operations in the same order without fused multiply-adds,
// so results are bit-identical with or without them; the purego build tag (or another architecture) keeps the
// Go loops.
//
// # Modes
//
// Compat reproduces segloss v0.0.1 (commit c1fa8c8) on its reference vectors: loss values to ~1e-15, gradients
// to ~1e-15 relative, integer and boolean intermediates exactly. Where segloss crashes or returns NaN, Compat
// returns an error naming the cause. Labels are always N x H x W, so segloss's IndexError on that layout
// (DTL, ABL) does not exist here. Default applies the fixes of LOSSES.md; every difference is listed below.
//
// Cross-entropy ("ce"): both modes are PyTorch's cross_entropy with class weights and ignore index.
//   - Compat: reduction "mean" with no valid pixel is an error (PyTorch gives NaN). Default: the loss is 0.
//
// Distance-transform loss ("dtl"):
//   - Penalty. Compat keeps segloss's broadcast of [N,H,W] probabilities against [N,1,H,W] contour maps, which
//     multiplies sample b's probabilities by sample a's contours for every pair (a,b) ([N,N,H,W] penalty).
//     Default is per sample: Q(n) = sum_k p_k(n) * P_k(n) * D_k(n).
//   - No-contour distance. Compat caps distances at N+1+H+W (it depends on the batch size). Default caps at
//     H+W, which exceeds every in-image city-block distance.
//   - Classes. Compat loops over the classes present in the batch's labels. Default loops over every class, so a
//     class predicted in an image whose labels lack it is penalised the same way in every batch.
//   - Ignore pixels. Compat treats them as "not k" for every class: they create ground-truth contours, and
//     predicted contours on them are penalised. Default compares only pairs of labelled pixels when tracing the
//     ground-truth contour and puts no penalty on ignore pixels.
//   - Empty selections. Compat: every pixel ignored is an error (segloss: TypeError), and reduction "mean" with
//     no non-zero penalty entry is an error (segloss: NaN). Default: the border term is 0 in both cases.
//   - Both modes keep the asymmetric contour stencil (down and left neighbours), the city-block distance, the
//     band max(D - Dilate, 0), the "mean over non-zero entries" reduction and L = CE + BorderWeight * B^Power.
//     With B = 0 the border gradient is 0.
//
// Boundary-F1 loss ("boundary"):
//   - CE term. Compat feeds the softmax probabilities to a second softmax (segloss's CE on probabilities).
//     Default is the cross-entropy of the logits.
//   - Ignore pixels. Compat rewrites them to class 0 (in a private copy; segloss edits the caller's tensor) for
//     both terms. Default leaves them out of the CE term, does not let them form ground-truth boundaries (a
//     class-k pixel next to an ignore pixel is not on k's boundary), and zeroes the predicted boundary on them.
//   - Both modes: window sizes Theta0 and Theta must be odd (segloss crashes on even ones), the window maximum is
//     -Inf padded with the gradient going to the first maximum in row-major order, the 1e-7 epsilons are kept
//     (the recall one added in float32, as segloss's float32 one-hot makes it), and the boundary term is the
//     mean over images and classes of 1 - BF1, whatever the reduction.
//
// Active-boundary loss ("active-boundary"):
//   - Boundary term. Compat is segloss's product of sums (sum of direction CEs) * (sum of weights), with the
//     weights min(D, MaxClip)/MaxClip in float32 and their sum in PyTorch's float32 summation order. Default is
//     the original ABL's mean over kept pixels of CE * weight, in float64.
//   - Class weights. Compat hands them to the 8-way direction CE as segloss does: an error when C != 8 and the
//     boundary branch runs, silently direction weights when C == 8. Default uses them for the pixel CE only.
//   - Threshold. Compat starts at 1e-5 and multiplies by 1.2 while the batch-wide count of KL scores above it
//     exceeds H*W*MaxRatio (the per-image cap). Default runs the same loop per image. Compat skips the boundary
//     term when at most 1 predicted-boundary pixel remains; default when none does.
//   - Images without a ground-truth boundary. Compat reproduces scipy's distance map of an all-foreground array,
//     the ramp floor(sqrt(1+i^2+j^2)) - 1. Default leaves such images out of the boundary term.
//   - Ignore pixels. Compat makes them ground-truth boundary pixels (distances are 0 near them). Default does
//     not: transitions to or from an ignore pixel are no boundary, and boundary pixels on ignore labels are
//     dropped. Both modes leave them out of the pixel CE.
//   - Reduction. Compat has only "sum" (segloss's unnormalised pixel CE). Default also accepts "mean".
//   - Both modes: distances floor(EDT) - 1 (so every pixel within distance < 2 of the boundary gets 0), the
//     direction order (+1,0) (-1,0) (0,-1) (0,+1) (-1,+1) (+1,+1) (-1,-1) (+1,-1) with the first minimum and
//     the centre last, replicate padding for the neighbour distributions, PyTorch label smoothing, Detach, and
//     the bilinear (align_corners) resize of logits to a larger label grid (Run with Input.LabelH/LabelW).
//
// # Parameters
//
// Spec's zero values select segloss's defaults: DTL Dilate 5, Power 0.5, BorderWeight 1, reduction sum;
// boundary Theta0 3, Theta 5, Beta 0.5, reduction mean; ABL Factor 0.1, Detach true, Smoothing 0.2,
// MaxRatio 0.01, MaxClip 20, reduction sum; CE reduction mean; IgnoreIndex 255.
package loss
