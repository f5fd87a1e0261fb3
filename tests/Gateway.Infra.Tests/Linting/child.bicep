param location string = resourceGroup().location

output location string = location
