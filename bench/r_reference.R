# `make bench` with SMFUSION_R_REFERENCE: times the R reference of ESTARFM/ubESTARFM on the Yanco case.
# Usage: Rscript r_reference.R <path of ubESTARFM.R> <folder of the Yanco rasters> <method> <workers> <output>
#   method: "baseline" (ESTARFM) or "zero bias" (ubESTARFM), as the reference names them.
# ubESTARFM.R is the reference's own code (github.com/yuyi13/ubESTARFM, 0_algorithm/ubESTARFM.R), not part of
# SM Fusion; it needs R's packages raster, foreach and doParallel. Prints "elapsed <seconds>": the time of the
# ubESTARFM() call alone, without R's start or the start of its workers.
suppressMessages({library(raster); library(foreach); library(doParallel)})
args = commandArgs(trailingOnly = TRUE)
source(args[1])
d = args[2]
tif = function(name) raster(file.path(d, name))
cl = makeCluster(as.integer(args[4]))
registerDoParallel(cl)
tmp = paste0(tempfile(), '/')
dir.create(tmp)
t = system.time(invisible(capture.output(ubESTARFM(
    w = 25, DN_min = 250, DN_max = 350, patch_long = 200, tmp, args[5], method = args[3],
    tif('Landsat_LST_cloudrm_20160205.tif'), tif('Landsat_LST_cloudrm_20160308.tif'),
    tif('MOD11A1_LST_cloudrm_20160205.tif'), tif('MOD11A1_LST_cloudrm_20160308.tif'),
    tif('MOD11A1_LST_cloudrm_20160218.tif')))))
stopCluster(cl)
unlink(tmp, recursive = TRUE)
cat('elapsed', t[['elapsed']], '\n')
