namespace InitLab.Kernel

module internal Placeholder =
    let x = 0
