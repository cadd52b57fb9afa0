require('commander')
