require('cli-table3')
