namespace InitLab.Kernel.Compare

open System

/// The linear assignment problem on float costs: give each row its own column so that the summed
/// cost is least (or greatest). Shortest augmenting paths with dual potentials (the Hungarian method
/// in Jonker–Volgenant form), O(rows²·columns); rows ≤ columns, so a rectangular matrix assigns every
/// row and leaves columns over. Exact for any finite costs (no integer scaling, unlike OR-Tools).
module LinearAssignment =

    let private check (what: string) (cost: float[,]) =
        if isNull cost then nullArg "cost"
        let rows, cols = cost.GetLength 0, cost.GetLength 1
        if rows > cols then
            invalidArg "cost" $"{what}: the cost matrix is {rows}×{cols}; it needs at least as many columns as rows"
        for i in 0 .. rows - 1 do
            for j in 0 .. cols - 1 do
                if not (Double.IsFinite cost[i, j]) then
                    invalidArg "cost" $"{what}: cost[{i}, {j}] = {cost[i, j]} is not finite"

    /// The column of each row that minimises Σ cost[row, column[row]] (distinct columns).
    let minimize (cost: float[,]) : int[] =
        check "LinearAssignment.minimize" cost
        let n, m = cost.GetLength 0, cost.GetLength 1
        // 1-based with a virtual column 0 that holds the row being inserted (as in the classic
        // formulation): u, v are the row and column potentials, p[j] the row on column j, way[j]
        // the previous column on the shortest path to j.
        let u = Array.zeroCreate<float> (n + 1)
        let v = Array.zeroCreate<float> (m + 1)
        let p = Array.zeroCreate<int> (m + 1)
        let way = Array.zeroCreate<int> (m + 1)
        let minv = Array.zeroCreate<float> (m + 1)
        let used = Array.zeroCreate<bool> (m + 1)
        let row = Array.zeroCreate<float> (m + 1)
        for i in 1 .. n do
            p[0] <- i
            let mutable j0 = 0
            Array.Fill(minv, Double.PositiveInfinity)
            Array.Fill(used, false)
            let mutable searching = true
            while searching do
                used[j0] <- true
                let i0 = p[j0]
                let ui0 = u[i0]
                for j in 1 .. m do row[j] <- cost[i0 - 1, j - 1]
                let mutable delta = Double.PositiveInfinity
                let mutable j1 = 0
                for j in 1 .. m do
                    if not used[j] then
                        let cur = row[j] - ui0 - v[j]
                        if cur < minv[j] then
                            minv[j] <- cur
                            way[j] <- j0
                        if minv[j] < delta then
                            delta <- minv[j]
                            j1 <- j
                for j in 0 .. m do
                    if used[j] then
                        u[p[j]] <- u[p[j]] + delta
                        v[j] <- v[j] - delta
                    else minv[j] <- minv[j] - delta
                j0 <- j1
                searching <- p[j0] <> 0
            // augment along the path back to the virtual column
            while j0 <> 0 do
                let j1 = way[j0]
                p[j0] <- p[j1]
                j0 <- j1
        let assignment = Array.create n -1
        for j in 1 .. m do
            if p[j] <> 0 then assignment[p[j] - 1] <- j - 1
        assignment

    /// The column of each row that maximises Σ score[row, column[row]] (distinct columns).
    let maximize (score: float[,]) : int[] =
        check "LinearAssignment.maximize" score
        minimize (Array2D.map (fun s -> -s) score)

    /// Σ cost[row, assignment[row]].
    let total (cost: float[,]) (assignment: int[]) =
        let mutable s = 0.0
        for i in 0 .. assignment.Length - 1 do s <- s + cost[i, assignment[i]]
        s
