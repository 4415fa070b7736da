namespace InitLab.Kernel.Optim

open System
open System.Numerics
open System.Numerics.Tensors

/// The in-place arithmetic of each update rule on one parameter's arrays, vectorised with
/// TensorPrimitives. `w` is updated, `g` is only read, state arrays persist between steps and the
/// two scratch arrays (at least w.Length long, shared by all parameters) hold temporaries so a step
/// allocates nothing. Scalars arrive as float and are rounded to 'T once, as PyTorch does.
/// The operation order follows Caffe's and PyTorch's CPU code so float results stay close to theirs.
type internal UpdateKernels<'T when 'T :> IFloatingPointIeee754<'T> and 'T: struct and 'T: (new: unit -> 'T) and 'T :> ValueType> =
    static member inline private T(x: float) = 'T.CreateTruncating x
    static member inline private Ro(a: 'T[], n: int) = ReadOnlySpan<'T>(a, 0, n)
    static member inline private Sp(a: 'T[], n: int) = Span<'T>(a, 0, n)

    /// d = g + wd·w in `scratch` (Caffe's regularised diff); returns the array holding d.
    static member private Decayed(w: 'T[], g: 'T[], wd: float, scratch: 'T[], n: int) =
        if wd = 0.0 then g
        else
            TensorPrimitives.MultiplyAdd<'T>(UpdateKernels.Ro(w, n), UpdateKernels.T wd, UpdateKernels.Ro(g, n), UpdateKernels.Sp(scratch, n))
            scratch

    /// Caffe SGD: v = m·v + lr·d; w −= v. Without momentum v lives in scratch.
    static member SgdCaffe(w: 'T[], g: 'T[], v: 'T[], lr: float, wd: float, momentum: float, s1: 'T[]) =
        let n = w.Length
        let d = UpdateKernels.Decayed(w, g, wd, s1, n)
        let v = if isNull v then s1 else v
        if momentum = 0.0 then TensorPrimitives.Multiply<'T>(UpdateKernels.Ro(d, n), UpdateKernels.T lr, UpdateKernels.Sp(v, n))
        else
            TensorPrimitives.Multiply<'T>(UpdateKernels.Ro(v, n), UpdateKernels.T momentum, UpdateKernels.Sp(v, n))
            TensorPrimitives.MultiplyAdd<'T>(UpdateKernels.Ro(d, n), UpdateKernels.T lr, UpdateKernels.Ro(v, n), UpdateKernels.Sp(v, n))
        TensorPrimitives.Subtract<'T>(UpdateKernels.Ro(w, n), UpdateKernels.Ro(v, n), UpdateKernels.Sp(w, n))

    /// PyTorch SGD: v = d on the first step, then v = m·v + (1 − dampening)·d;
    /// w −= lr·(d + m·v) with Nesterov, else w −= lr·v.
    static member SgdTorch(w: 'T[], g: 'T[], v: 'T[], firstStep: bool, lr: float, wd: float, momentum: float, dampening: float, nesterov: bool, s1: 'T[]) =
        let n = w.Length
        let d = UpdateKernels.Decayed(w, g, wd, s1, n)
        let step =
            if momentum = 0.0 then d
            else
                if firstStep then Array.Copy(d, v, n)
                else
                    TensorPrimitives.Multiply<'T>(UpdateKernels.Ro(v, n), UpdateKernels.T momentum, UpdateKernels.Sp(v, n))
                    TensorPrimitives.MultiplyAdd<'T>(UpdateKernels.Ro(d, n), UpdateKernels.T(1.0 - dampening), UpdateKernels.Ro(v, n), UpdateKernels.Sp(v, n))
                if nesterov then
                    // d + m·v into scratch (d may be the gradient itself, which we must not modify)
                    TensorPrimitives.MultiplyAdd<'T>(UpdateKernels.Ro(v, n), UpdateKernels.T momentum, UpdateKernels.Ro(d, n), UpdateKernels.Sp(s1, n))
                    s1
                else v
        TensorPrimitives.MultiplyAdd<'T>(UpdateKernels.Ro(step, n), UpdateKernels.T(-lr), UpdateKernels.Ro(w, n), UpdateKernels.Sp(w, n))

    /// AdaGrad: s += d·d; w −= lr·d/(√s + ε).
    static member AdaGrad(w: 'T[], g: 'T[], sum: 'T[], lr: float, wd: float, eps: float, s1: 'T[], s2: 'T[]) =
        let n = w.Length
        let d = UpdateKernels.Decayed(w, g, wd, s1, n)
        TensorPrimitives.MultiplyAdd<'T>(UpdateKernels.Ro(d, n), UpdateKernels.Ro(d, n), UpdateKernels.Ro(sum, n), UpdateKernels.Sp(sum, n))
        TensorPrimitives.Sqrt<'T>(UpdateKernels.Ro(sum, n), UpdateKernels.Sp(s2, n))
        TensorPrimitives.Add<'T>(UpdateKernels.Ro(s2, n), UpdateKernels.T eps, UpdateKernels.Sp(s2, n))
        TensorPrimitives.Divide<'T>(UpdateKernels.Ro(d, n), UpdateKernels.Ro(s2, n), UpdateKernels.Sp(s2, n))
        TensorPrimitives.MultiplyAdd<'T>(UpdateKernels.Ro(s2, n), UpdateKernels.T(-lr), UpdateKernels.Ro(w, n), UpdateKernels.Sp(w, n))

    /// RMSProp: a = α·a + (1 − α)·d·d; u = d/(√a + ε); with momentum b = m·b + u and w −= lr·b, else w −= lr·u.
    static member RmsProp(w: 'T[], g: 'T[], sq: 'T[], buf: 'T[], lr: float, wd: float, alpha: float, eps: float, momentum: float, s1: 'T[], s2: 'T[]) =
        let n = w.Length
        let d = UpdateKernels.Decayed(w, g, wd, s1, n)
        TensorPrimitives.Multiply<'T>(UpdateKernels.Ro(sq, n), UpdateKernels.T alpha, UpdateKernels.Sp(sq, n))
        TensorPrimitives.Multiply<'T>(UpdateKernels.Ro(d, n), UpdateKernels.Ro(d, n), UpdateKernels.Sp(s2, n))
        TensorPrimitives.MultiplyAdd<'T>(UpdateKernels.Ro(s2, n), UpdateKernels.T(1.0 - alpha), UpdateKernels.Ro(sq, n), UpdateKernels.Sp(sq, n))
        TensorPrimitives.Sqrt<'T>(UpdateKernels.Ro(sq, n), UpdateKernels.Sp(s2, n))
        TensorPrimitives.Add<'T>(UpdateKernels.Ro(s2, n), UpdateKernels.T eps, UpdateKernels.Sp(s2, n))
        TensorPrimitives.Divide<'T>(UpdateKernels.Ro(d, n), UpdateKernels.Ro(s2, n), UpdateKernels.Sp(s2, n))
        let step =
            if momentum = 0.0 then s2
            else
                TensorPrimitives.Multiply<'T>(UpdateKernels.Ro(buf, n), UpdateKernels.T momentum, UpdateKernels.Sp(buf, n))
                TensorPrimitives.Add<'T>(UpdateKernels.Ro(buf, n), UpdateKernels.Ro(s2, n), UpdateKernels.Sp(buf, n))
                buf
        TensorPrimitives.MultiplyAdd<'T>(UpdateKernels.Ro(step, n), UpdateKernels.T(-lr), UpdateKernels.Ro(w, n), UpdateKernels.Sp(w, n))

    /// Adam at step t (1-based): m = β1·m + (1 − β1)·d; v = β2·v + (1 − β2)·d·d;
    /// w −= lr/(1 − β1^t) · m/(√v/√(1 − β2^t) + ε). Decoupled (AdamW): w ·= 1 − lr·wd first and d = g.
    static member Adam(w: 'T[], g: 'T[], m: 'T[], v: 'T[], t: int64, lr: float, wd: float, beta1: float, beta2: float, eps: float, decoupled: bool, s1: 'T[], s2: 'T[]) =
        let n = w.Length
        let d =
            if decoupled then
                if wd <> 0.0 then TensorPrimitives.Multiply<'T>(UpdateKernels.Ro(w, n), UpdateKernels.T(1.0 - lr * wd), UpdateKernels.Sp(w, n))
                g
            else UpdateKernels.Decayed(w, g, wd, s1, n)
        TensorPrimitives.Multiply<'T>(UpdateKernels.Ro(m, n), UpdateKernels.T beta1, UpdateKernels.Sp(m, n))
        TensorPrimitives.MultiplyAdd<'T>(UpdateKernels.Ro(d, n), UpdateKernels.T(1.0 - beta1), UpdateKernels.Ro(m, n), UpdateKernels.Sp(m, n))
        TensorPrimitives.Multiply<'T>(UpdateKernels.Ro(v, n), UpdateKernels.T beta2, UpdateKernels.Sp(v, n))
        TensorPrimitives.Multiply<'T>(UpdateKernels.Ro(d, n), UpdateKernels.Ro(d, n), UpdateKernels.Sp(s2, n))
        TensorPrimitives.MultiplyAdd<'T>(UpdateKernels.Ro(s2, n), UpdateKernels.T(1.0 - beta2), UpdateKernels.Ro(v, n), UpdateKernels.Sp(v, n))
        let bc1 = 1.0 - Math.Pow(beta1, float t)
        let bc2 = 1.0 - Math.Pow(beta2, float t)
        let stepSize = lr / bc1
        TensorPrimitives.Sqrt<'T>(UpdateKernels.Ro(v, n), UpdateKernels.Sp(s2, n))
        TensorPrimitives.Divide<'T>(UpdateKernels.Ro(s2, n), UpdateKernels.T(Math.Sqrt bc2), UpdateKernels.Sp(s2, n))
        TensorPrimitives.Add<'T>(UpdateKernels.Ro(s2, n), UpdateKernels.T eps, UpdateKernels.Sp(s2, n))
        TensorPrimitives.Divide<'T>(UpdateKernels.Ro(m, n), UpdateKernels.Ro(s2, n), UpdateKernels.Sp(s2, n))
        TensorPrimitives.MultiplyAdd<'T>(UpdateKernels.Ro(s2, n), UpdateKernels.T(-stepSize), UpdateKernels.Ro(w, n), UpdateKernels.Sp(w, n))
