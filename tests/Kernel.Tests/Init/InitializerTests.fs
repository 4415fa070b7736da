module InitLab.Kernel.Tests.Init.InitializerTests

open System
open Expecto
open InitLab.Kernel
open InitLab.Kernel.Init

let private all =
    [ Constant 0.0; Constant -1.5; Gaussian 0.01; Uniform(-0.1, 0.2); Xavier; XavierNormal
      XavierCaffe FanIn; XavierCaffe FanOut; XavierCaffe FanAverage; Msra FanIn; Msra FanOut; Msra FanAverage
      Orthogonal 1.0; Orthogonal 1.4142135623730951; TorchDefault ]

let private random = all |> List.filter (function Constant _ -> false | _ -> true)

[<Tests>]
let tests =
    testList "Init.initializer" [
        testCase "fans: Linear [out; in] and Conv OIHW" <| fun () ->
            Expect.equal (Fan.fanIn [| 500; 800 |], Fan.fanOut [| 500; 800 |]) (800, 500) "linear"
            Expect.equal (Fan.fanIn [| 50; 20; 5; 5 |], Fan.fanOut [| 50; 20; 5; 5 |]) (20 * 25, 50 * 25) "conv"
            Expect.equal (Fan.select FanAverage [| 50; 20; 5; 5 |]) (float (20 * 25 + 50 * 25) / 2.0) "average"

        testCase "fan-based initialisers reject a rank-1 shape without a weight shape, naming it" <| fun () ->
            for init in [ Xavier; XavierNormal; XavierCaffe FanIn; Msra FanOut; TorchDefault ] do
                let e = Expect.throwsC (fun () -> init.Create([| 10 |], Generator(1)) |> ignore) id
                Expect.stringContains e.Message "[10]" $"{init} names the shape"

        testCase "same seed ⇒ bit-identical, different seed ⇒ different (both dtypes)" <| fun () ->
            for init in random do
                for dtype in [ Float32; Float64 ] do
                    let make seed = init.Create([| 20; 3; 3; 3 |], Generator(seed: int), dtype = dtype).ToArray()
                    Expect.equal (make 5) (make 5) $"{init} {dtype} same seed"
                    Expect.notEqual (make 5) (make 6) $"{init} {dtype} different seed"

        testCase "float32 and float64 draws agree up to float32 rounding" <| fun () ->
            for init in random do
                let a = init.Create([| 30; 40 |], Generator(9)).ToFloat32Array()
                let b = init.Create([| 30; 40 |], Generator(9), dtype = Float64).ToArray() |> Array.map float32
                Expect.equal a b $"{init}"

        testCase "describe and parse round-trip" <| fun () ->
            for init in all do
                Expect.equal (Initializer.Parse(init.Describe())) init $"{init.Describe()}"

        testPropertyWithConfig (InitLab.Tests.FsCheckSeed.config 100) "describe/parse round-trips arbitrary finite numbers" <| fun (x: FsCheck.NormalFloat) (y: FsCheck.NormalFloat) ->
            let a, b = min x.Get y.Get, max x.Get y.Get
            let inits = [ Constant a; Gaussian(abs a); Uniform(a, b) ] @ (if abs a > 0.0 then [ Orthogonal(abs a) ] else [])
            inits |> List.forall (fun i -> Initializer.Parse(i.Describe()) = i)

        testCase "parse accepts the CLI spellings" <| fun () ->
            let cases =
                [ "xavier", Xavier; "glorot", Xavier; "xavier-normal", XavierNormal
                  "caffe-xavier", XavierCaffe FanIn; "caffe-xavier:fan-out", XavierCaffe FanOut
                  "Caffe-Xavier:AVERAGE", XavierCaffe FanAverage; "msra", Msra FanIn; "he:fan_out", Msra FanOut
                  "gaussian:0.01", Gaussian 0.01; " constant:0 ", Constant 0.0; "uniform:-0.5, 0.5", Uniform(-0.5, 0.5)
                  "orthogonal", Orthogonal 1.0; "orthogonal:2", Orthogonal 2.0; "torch-default", TorchDefault ]
            for text, expected in cases do
                Expect.equal (Initializer.Parse text) expected text

        testCase "parse errors name the text and list the accepted forms" <| fun () ->
            for bad in [ "foo"; "gaussian"; "gaussian:-1"; "gaussian:abc"; "uniform:1"; "uniform:2,1"
                         "msra:sideways"; "xavier:3"; "orthogonal:0"; "constant:NaN"; "" ] do
                let e = Expect.throwsC (fun () -> Initializer.Parse bad |> ignore) id
                Expect.isTrue (e :? ArgumentException) $"'{bad}' raises ArgumentException"
                Expect.stringContains e.Message $"'{bad}'" $"'{bad}' is named"
                Expect.stringContains e.Message "caffe-xavier" $"'{bad}' lists forms"

        testCase "bad arguments to the samplers are rejected" <| fun () ->
            Expect.throwsT<ArgumentException> (fun () -> (Gaussian -1.0).Create([| 2 |], Generator(1)) |> ignore) "negative std"
            Expect.throwsT<ArgumentException> (fun () -> (Uniform(1.0, 0.0)).Create([| 2 |], Generator(1)) |> ignore) "low > high"
            Expect.throwsT<ArgumentException> (fun () -> (Constant nan).Create([| 2 |], Generator(1)) |> ignore) "NaN constant"

        testCase "the generator advances by the same number of draws for either dtype" <| fun () ->
            let g1, g2 = Generator(4), Generator(4)
            (Msra FanIn).Create([| 8; 8 |], g1) |> ignore
            (Msra FanIn).Create([| 8; 8 |], g2, dtype = Float64) |> ignore
            Expect.equal g1.Counter g2.Counter "same counter"
            Expect.isGreaterThan g1.Counter 0UL "draws were taken"
    ]
