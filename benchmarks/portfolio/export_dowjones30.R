# Writes the DowJones30 data set of the Debian package r-cran-fbasics (Rmetrics fBasics, GPL >= 2)
# as CSV: a date column, then the daily closing price of each of the 30 stocks.
#   Rscript export_dowjones30.R OUT.csv
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 1) stop("usage: Rscript export_dowjones30.R OUT.csv")
suppressPackageStartupMessages(library(fBasics))
data(DowJones30)
names(DowJones30)[1] <- "date"
write.csv(DowJones30, args[1], row.names = FALSE)
