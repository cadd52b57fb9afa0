require('picocolors')
