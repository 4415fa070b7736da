module InitLab.Kernel.Tests.Main

open Expecto

[<Tests>]
let smoke = testCase "solution builds and tests run" <| fun () -> Expect.equal (1 + 1) 2 "arithmetic"

[<EntryPoint>]
let main argv = runTestsInAssemblyWithCLIArgs [] argv
