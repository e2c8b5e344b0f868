module minxin

go 1.26.8
